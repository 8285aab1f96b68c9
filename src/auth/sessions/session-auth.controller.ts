import { loginUserOf } from '../strategies/local.strategy';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JsonBodyGuard } from '../http/json-body.guard';
import { CsrfDto, SessionLoginResponseDto } from '../openapi/schemas';
import { LoginDto } from '../dto/login.dto';
import { AuthStrategy, AuthUser } from '../auth.types';
import { Auth, Public } from '../decorators/auth.decorators';
import { LocalAuthGuard } from '../guards/local-auth.guard';
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
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: SessionLoginResponseDto, description: 'Sets the session cookie.' })
  @Public()
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, JsonBodyGuard, LocalAuthGuard)
  async login(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const user = loginUserOf(req);
    const { csrfToken } = await this.sessions.establish(req, res, user);
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

  /** `GET /auth/csrf` (cookie) → `{csrfToken}`, e.g. for a SPA that reloaded. */
  @Get('csrf')
  @ApiOperation({ summary: "This session's CSRF token", description: 'For a page that lost the token (a reload): send it as `X-CSRF-Token` on cookie-authenticated POST/PUT/PATCH/DELETE.' })
  @ApiOkResponse({ type: CsrfDto })
  @Auth(AuthStrategy.Session)
  csrf(@Req() req: Request) {
    return { csrfToken: this.sessions.current(req)!.csrfToken };
  }
}
