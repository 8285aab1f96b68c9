import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { JsonBody, JsonBodyGuard } from '../common/json-body.guard';
import { AuthErrorCode, AuthUser } from './auth.types';
import { Public } from './decorators/auth.decorators';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { IpThrottleGuard } from './throttling/ip-throttle.guard';
import { CodedHttpException } from '../common/http-errors';
import { REFRESH_TOKEN_PATTERN, TokenPair, TokenService } from './tokens/token.service';

const MAX_USER_AGENT = 512;

@Controller('auth/token')
@Public()
export class TokenAuthController {
  constructor(private readonly tokens: TokenService) {}

  /** `POST /auth/token {email, password}` → 200 a token pair (a new sign-in); 401 as login. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, JsonBodyGuard, LocalAuthGuard)
  issue(@Req() req: Request): Promise<TokenPair> {
    return this.tokens.issue(req.user as AuthUser, {
      userAgent: req.get('user-agent')?.slice(0, MAX_USER_AGENT) ?? null,
      ip: req.ip ?? null,
    });
  }

  /** `POST /auth/token/refresh {refreshToken}` → 200 a new pair; the presented token is spent. */
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPair> {
    if (!REFRESH_TOKEN_PATTERN.test(dto.refreshToken)) {
      throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.TokenInvalid, 'Unknown refresh token; sign in again');
    }
    return this.tokens.refresh(dto.refreshToken);
  }

  /** `POST /auth/token/revoke {refreshToken}` → 204, always (idempotent); the whole family is revoked. */
  @Post('revoke')
  @HttpCode(HttpStatus.NO_CONTENT)
  @JsonBody()
  async revoke(@Body() dto: RefreshTokenDto): Promise<void> {
    if (REFRESH_TOKEN_PATTERN.test(dto.refreshToken)) await this.tokens.revoke(dto.refreshToken);
  }
}
