import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AuthErrorCode } from '../auth.types';
import { Public } from '../decorators/auth.decorators';
import { RefreshTokenDto } from '../dto/refresh-token.dto';
import { TokenLoginDto } from '../dto/login.dto';
import { assertCookieRequestAllowed } from '../csrf/csrf.guard';
import { LOGIN_DTO, LocalAuthGuard } from '../guards/local-auth.guard';
import { clientMeta } from '../http/client-meta';
import { CodedHttpException } from '../http/http-errors';
import { JsonBody, JsonBodyGuard } from '../http/json-body.guard';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { ApiErrorResponse } from '../openapi/auth-openapi';
import { CookieTokensDto, TokenPairDto } from '../openapi/schemas';
import { loginUserOf } from '../strategies/local.strategy';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { CsrfTokens } from '../csrf/csrf-tokens';
import { TokenCookies } from './token-cookies';
import { IssuedTokens, REFRESH_TOKEN_PATTERN, TokenPair, TokenService } from './token.service';

/** What a sign-in on the cookie transport gets in the body: everything but the tokens. */
export interface CookieTokens {
  tokenType: 'Cookie';
  expiresIn: number;
  refreshExpiresIn: number;
  csrfToken: string;
}

const pairOrCookies = { oneOf: [{ $ref: getSchemaPath(TokenPairDto) }, { $ref: getSchemaPath(CookieTokensDto) }] };
const csrfHeader = { name: 'X-CSRF-Token', required: false, description: 'Required when the refresh token comes from its cookie (transport `cookie`).' };

const unknownToken = () => new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.TokenInvalid, 'Unknown refresh token; sign in again');

/**
 * Token sign-ins, with two transports: `body` (v1: the tokens in the JSON body, for
 * `Authorization: Bearer`) and `cookie` (the same tokens in HttpOnly cookies for browser apps, a
 * CSRF token in the body). One code path: the same families, rotation, grace, reuse detection
 * and ledger; the transport only decides where the tokens travel.
 */
@ApiTags('jwt')
@ApiExtraModels(TokenPairDto, CookieTokensDto)
@Controller()
@BuiltInEndpoint()
@Public()
export class TokenAuthController {
  private readonly origins: ReadonlySet<string>;

  constructor(
    private readonly tokens: TokenService,
    private readonly cookies: TokenCookies,
    private readonly csrf: CsrfTokens,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.origins = new Set(options.corsOrigins);
  }

  /** `POST /auth/token {email, password, transport?, rememberMe?}` → 200 a new sign-in; 401 as login. */
  @Post('token')
  @ApiOperation({
    summary: 'Sign in for tokens',
    description:
      'A new sign-in (refresh family): a short-lived access token (JWT) and a rotating refresh token. `transport: "body"` (default) returns them for `Authorization: Bearer`; `transport: "cookie"` sets them as HttpOnly cookies (the refresh cookie only ever goes to the token endpoints) and returns a CSRF token instead. The same 401 for an unknown email and a wrong password.',
  })
  @ApiBody({ type: TokenLoginDto })
  @ApiOkResponse({ schema: pairOrCookies, description: 'A new sign-in (token family): the tokens (`body`), or the cookies and a CSRF token (`cookie`).' })
  @HttpCode(HttpStatus.OK)
  @SetMetadata(LOGIN_DTO, TokenLoginDto)
  @UseGuards(IpThrottleGuard, JsonBodyGuard, LocalAuthGuard)
  async issue(@Body() dto: TokenLoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenPair | CookieTokens> {
    const issued = await this.tokens.issue(loginUserOf(req), clientMeta(req), { persistent: dto.rememberMe ?? true });
    return dto.transport === 'cookie' ? this.answerWithCookies(res, issued) : issued.pair;
  }

  /**
   * `POST /auth/token/refresh {refreshToken}` → 200 a new pair; or `{}` with the refresh cookie
   * and `X-CSRF-Token` → 200, the cookies re-set. The presented token is spent either way.
   */
  @Post('token/refresh')
  @ApiOperation({
    summary: 'Rotate a refresh token',
    description:
      'Spends the refresh token (from the body, or from its cookie with `{}` and `X-CSRF-Token`) for a new pair, answered the way it came. Retrying with the same token returns the same successor while that successor is unused and its answer was not delivered, or was delivered less than JWT_REFRESH_GRACE ago; otherwise a spent token revokes its whole sign-in (reuse detection).',
  })
  @ApiBody({ type: RefreshTokenDto })
  @ApiHeader(csrfHeader)
  @ApiOkResponse({ schema: pairOrCookies, description: 'The presented refresh token is spent.' })
  @ApiErrorResponse(401, '`token_invalid`: unknown, malformed or expired refresh token, or no refresh cookie; `signin_revoked`: the sign-in was revoked (or the token was reused).', ['token_invalid', 'signin_revoked'])
  @ApiErrorResponse(403, 'Cookie transport only: `csrf_failed` (missing or wrong `X-CSRF-Token`), `origin_rejected` (another site).', ['csrf_failed', 'origin_rejected'])
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async refresh(@Body() dto: RefreshTokenDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenPair | CookieTokens> {
    const fromCookie = dto.refreshToken === undefined;
    const token = fromCookie ? await this.cookieRefreshToken(req, res) : dto.refreshToken!;
    if (!REFRESH_TOKEN_PATTERN.test(token)) throw unknownToken();
    let issued: IssuedTokens;
    try {
      issued = await this.tokens.refresh(token);
    } catch (err) {
      // A refused cookie is dead: clear it, so the browser stops sending it.
      if (fromCookie && err instanceof CodedHttpException && err.getStatus() === HttpStatus.UNAUTHORIZED) this.cookies.clear(res);
      throw err;
    }
    // Only an answer that left the server closes the replay window: a client whose answer was
    // lost (a 503 after the commit, a cut connection) can retry this token however late.
    res.once('finish', () => res.statusCode === HttpStatus.OK && this.tokens.confirmAnswered(token));
    return fromCookie ? this.answerWithCookies(res, issued) : issued.pair;
  }

  /** `POST /auth/token/revoke {refreshToken}` (or `{}` with the refresh cookie and `X-CSRF-Token`) → 204, always. */
  @Post('token/revoke')
  @ApiOperation({
    summary: 'Sign out a token sign-in',
    description: "Revokes the refresh token's whole family (from the body, or from its cookie with `{}` and `X-CSRF-Token`, then every cookie of the sign-in is cleared). Idempotent: unknown tokens get 204 too.",
  })
  @ApiBody({ type: RefreshTokenDto })
  @ApiHeader(csrfHeader)
  @ApiNoContentResponse({ description: 'Always (idempotent); the whole family is revoked.' })
  @ApiErrorResponse(403, 'Cookie transport only: `csrf_failed` (missing or wrong `X-CSRF-Token`), `origin_rejected` (another site).', ['csrf_failed', 'origin_rejected'])
  @HttpCode(HttpStatus.NO_CONTENT)
  @JsonBody()
  async revoke(@Body() dto: RefreshTokenDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (dto.refreshToken !== undefined) {
      if (REFRESH_TOKEN_PATTERN.test(dto.refreshToken)) await this.tokens.revoke(dto.refreshToken);
      return;
    }
    const token = this.cookies.refreshTokenOf(req);
    if (token && REFRESH_TOKEN_PATTERN.test(token)) {
      const signInId = await this.tokens.signInOfRefreshToken(token);
      if (signInId) {
        assertCookieRequestAllowed(req, this.origins, { csrfValid: (presented) => this.csrf.verify(presented, signInId) });
        await this.tokens.revoke(token);
      }
    }
    this.cookies.clear(res);
  }

  /**
   * The refresh token from its cookie, once the request passed the cookie rule (origin, and a
   * CSRF token bound to *this* token's sign-in: one from the caller's own sign-in is no use
   * against someone else's cookie).
   */
  private async cookieRefreshToken(req: Request, res: Response): Promise<string> {
    const token = this.cookies.refreshTokenOf(req);
    if (!token || !REFRESH_TOKEN_PATTERN.test(token)) throw unknownToken();
    const signInId = await this.tokens.signInOfRefreshToken(token);
    if (!signInId) {
      this.cookies.clear(res);
      throw unknownToken();
    }
    assertCookieRequestAllowed(req, this.origins, { csrfValid: (presented) => this.csrf.verify(presented, signInId) });
    return token;
  }

  private answerWithCookies(res: Response, issued: IssuedTokens): CookieTokens {
    const { accessToken, expiresIn, refreshToken, refreshExpiresIn } = issued.pair;
    const csrfToken = this.csrf.issue(issued.signInId);
    this.cookies.set(res, { accessToken, expiresIn, refreshToken, refreshExpiresIn, csrfToken, persistent: issued.persistent });
    return { tokenType: 'Cookie', expiresIn, refreshExpiresIn, csrfToken };
  }
}
