import { loginUserOf } from '../strategies/local.strategy';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res, SetMetadata, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JsonBodyGuard } from '../http/json-body.guard';
import { SessionLoginResponseDto } from '../openapi/schemas';
import { SessionLoginDto } from '../dto/login.dto';
import { AuthStrategy } from '../auth.types';
import { Auth, Public } from '../decorators/auth.decorators';
import { LOGIN_DTO, LocalAuthGuard } from '../guards/local-auth.guard';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { SessionService } from './session.service';

@ApiTags('session')
@Controller()
@BuiltInEndpoint()
export class SessionAuthController {
  constructor(private readonly sessions: SessionService) {}

  /**
   * `POST /auth/session/login {email, password}` → 200 `{user, csrfToken}` + the session cookie.
   * The session id is always new (fixation); 401 is the same for unknown email and wrong password.
   */
  @Post('session/login')
  @ApiOperation({
    summary: 'Sign in with a session cookie',
    description: 'Sets the HttpOnly session cookie (a new session id every time) and returns the CSRF token for unsafe requests. The same 401 for an unknown email and a wrong password.',
  })
  @ApiBody({ type: SessionLoginDto })
  @ApiOkResponse({ type: SessionLoginResponseDto, description: 'Sets the session cookie.' })
  @Public()
  @HttpCode(HttpStatus.OK)
  @SetMetadata(LOGIN_DTO, SessionLoginDto)
  @UseGuards(IpThrottleGuard, JsonBodyGuard, LocalAuthGuard)
  async login(@Body() dto: SessionLoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const user = loginUserOf(req);
    const { csrfToken } = await this.sessions.establish(req, res, user, { persistent: dto.rememberMe ?? true });
    return { user, csrfToken };
  }

  /** `POST /auth/session/logout` (cookie + CSRF) → 204; the stored session is deleted, the cookie cleared. */
  @Post('session/logout')
  @ApiOperation({ summary: 'Sign out of this session', description: 'Deletes the session from the store and clears the cookie.' })
  @ApiNoContentResponse({ description: 'Session deleted, cookie cleared.' })
  @Auth(AuthStrategy.Session)
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.destroy(req, res);
  }
}
