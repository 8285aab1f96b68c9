import { loginUserOf } from '../strategies/local.strategy';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { JsonBody, JsonBodyGuard } from '../http/json-body.guard';
import { AuthErrorCode, AuthUser } from '../auth.types';
import { Public } from '../decorators/auth.decorators';
import { RefreshTokenDto } from '../dto/refresh-token.dto';
import { LocalAuthGuard } from '../guards/local-auth.guard';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse } from '../openapi/auth-openapi';
import { clientMeta } from '../http/client-meta';
import { TokenPairDto } from '../openapi/schemas';
import { LoginDto } from '../dto/login.dto';
import { CodedHttpException } from '../http/http-errors';
import { REFRESH_TOKEN_PATTERN, TokenPair, TokenService } from './token.service';

@ApiTags('jwt')
@Controller()
@BuiltInEndpoint()
@Public()
export class TokenAuthController {
  constructor(private readonly tokens: TokenService) {}

  /** `POST /auth/token {email, password}` → 200 a token pair (a new sign-in); 401 as login. */
  @Post('token')
  @ApiOperation({
    summary: 'Sign in for tokens',
    description: 'A new sign-in (refresh family): a short-lived access token (JWT, `Authorization: Bearer`) and a rotating refresh token. The same 401 for an unknown email and a wrong password.',
  })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto, description: 'A new sign-in (token family).' })
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, JsonBodyGuard, LocalAuthGuard)
  issue(@Req() req: Request): Promise<TokenPair> {
    return this.tokens.issue(loginUserOf(req), clientMeta(req));
  }

  /** `POST /auth/token/refresh {refreshToken}` → 200 a new pair; the presented token is spent. */
  @Post('token/refresh')
  @ApiOperation({
    summary: 'Rotate a refresh token',
    description:
      'Spends the refresh token for a new pair. Retrying with the same token returns the same successor while that successor is unused and its answer was not delivered, or was delivered less than JWT_REFRESH_GRACE ago; otherwise a spent token revokes its whole sign-in (reuse detection).',
  })
  @ApiBody({ type: RefreshTokenDto })
  @ApiOkResponse({ type: TokenPairDto, description: 'The presented refresh token is spent.' })
  @ApiErrorResponse(401, '`token_invalid`: unknown, malformed or expired refresh token; `signin_revoked`: the sign-in was revoked (or the token was reused).', ['token_invalid', 'signin_revoked'])
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async refresh(@Body() dto: RefreshTokenDto, @Res({ passthrough: true }) res: Response): Promise<TokenPair> {
    if (!REFRESH_TOKEN_PATTERN.test(dto.refreshToken)) {
      throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.TokenInvalid, 'Unknown refresh token; sign in again');
    }
    const pair = await this.tokens.refresh(dto.refreshToken);
    // Only an answer that left the server closes the replay window: a client whose answer was
    // lost (a 503 after the commit, a cut connection) can retry this token however late.
    res.once('finish', () => res.statusCode === HttpStatus.OK && this.tokens.confirmAnswered(dto.refreshToken));
    return pair;
  }

  /** `POST /auth/token/revoke {refreshToken}` → 204, always (idempotent); the whole family is revoked. */
  @Post('token/revoke')
  @ApiOperation({ summary: 'Sign out a token sign-in', description: "Revokes the refresh token's whole family. Idempotent: unknown tokens get 204 too." })
  @ApiBody({ type: RefreshTokenDto })
  @ApiNoContentResponse({ description: 'Always (idempotent); the whole family is revoked.' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @JsonBody()
  async revoke(@Body() dto: RefreshTokenDto): Promise<void> {
    if (REFRESH_TOKEN_PATTERN.test(dto.refreshToken)) await this.tokens.revoke(dto.refreshToken);
  }
}
