import { BuiltInEndpoint } from '../http/validation.pipe';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse } from '../openapi/auth-openapi';
import type { Request, Response } from 'express';
import { SignInDto } from '../openapi/schemas';
import { CodedHttpException } from '../http/http-errors';
import { JsonBody } from '../http/json-body.guard';
import { UsersService } from '../accounts/users.service';
import { AuthContext, AuthErrorCode, AuthStrategy } from '../auth.types';
import { Auth, CurrentAuth } from '../decorators/auth.decorators';
import { ChangePasswordDto } from '../dto/change-password.dto';
import { PasswordHasher } from '../passwords/password-hasher';
import { SessionService } from '../sessions/session.service';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { LoginThrottleService } from '../throttling/login-throttle.service';
import { SignInsService, SignInView } from './sign-ins.service';
import { cookieCredentialOf } from '../csrf/csrf.guard';
import { TokenCookies } from '../tokens/token-cookies';
import { TokenService } from '../tokens/token.service';
import { OneTimeTokenPurpose } from '../one-time-tokens/one-time-token.entity';
import { OneTimeTokensRepository } from '../one-time-tokens/one-time-tokens.repository';
import { AccountLifecycleService } from '../lifecycle/account-lifecycle.service';
import { ReauthenticateDto } from '../lifecycle/dto/lifecycle.dto';

/** The caller's own sign-ins, whichever way they signed in. Cookie callers need the CSRF token for changes. */
@ApiTags('sign-ins')
@Controller()
@BuiltInEndpoint()
@Auth(AuthStrategy.Session, AuthStrategy.Jwt)
export class SignInsController {
  constructor(
    private readonly signIns: SignInsService,
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottleService,
    private readonly events: AuthEvents,
    private readonly tokenCookies: TokenCookies,
    private readonly tokens: TokenService,
    private readonly oneTime: OneTimeTokensRepository,
    private readonly lifecycle: AccountLifecycleService,
  ) {}

  /** `GET /auth/sessions` → the caller's live sessions and token families, `current` marking this one. */
  @Get('sessions')
  @ApiOperation({ summary: 'List my sign-ins', description: 'Live browser sessions and token families of the caller, newest first; `current` marks this one.' })
  @ApiOkResponse({ type: [SignInDto] })
  list(@CurrentAuth() auth: AuthContext): Promise<SignInView[]> {
    return this.signIns.list(auth.user.id, auth);
  }

  /** `DELETE /auth/sessions/:id` → 204; that sign-in stops working at once. 404 when not the caller's. */
  @Delete('sessions/:id')
  @ApiOperation({ summary: 'End one of my sign-ins', description: 'A session is deleted; a token family is revoked (its refresh tokens at once, its access tokens on strict routes).' })
  @ApiParam({ name: 'id', description: 'A sign-in id from `GET sessions`.', schema: { type: 'string', format: 'uuid' } })
  @ApiNoContentResponse({ description: 'That sign-in stops working at once.' })
  @ApiErrorResponse(404, "Not one of the caller's live sign-ins.")
  @HttpCode(HttpStatus.NO_CONTENT)
  async revoke(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (!(await this.signIns.revoke(auth.user.id, id))) throw new NotFoundException('No such sign-in');
    // Ending the caller's own sign-in: its cookies go too.
    if (auth.signInId === id && auth.strategy === AuthStrategy.Session) this.sessions.clearCookie(res);
    if (auth.signInId === id && auth.strategy === AuthStrategy.Jwt && cookieCredentialOf(req)) this.tokenCookies.clear(res);
  }

  /** `POST /auth/sessions/revoke-others` → 204; every sign-in but this one is revoked. */
  @Post('sessions/revoke-others')
  @ApiOperation({ summary: 'Sign out everywhere else', description: 'Every sign-in of the caller but this one ends.' })
  @ApiNoContentResponse({ description: 'Every other sign-in ended.' })
  @HttpCode(HttpStatus.NO_CONTENT)
  async revokeOthers(@CurrentAuth() auth: AuthContext): Promise<void> {
    await this.signIns.revokeAll(auth.user.id, 'revoked', auth);
  }

  /**
   * `POST /auth/password {currentPassword, newPassword}` → 204. Every other sign-in is revoked;
   * this one is kept (a session gets a new id and CSRF token: fetch it from `GET /auth/csrf`).
   */
  @Post('password')
  @ApiOperation({
    summary: 'Change my password',
    description: 'Needs the current password (wrong guesses count towards the account back-off). Every other sign-in ends; this one is kept — a session gets a new id and CSRF token (read it from `GET csrf`).',
  })
  @ApiBody({ type: ChangePasswordDto })
  @ApiNoContentResponse({ description: 'Every other sign-in revoked; a session gets a new id and CSRF token.' })
  @ApiErrorResponse(401, '`credentials_invalid`: the current password is wrong; or not authenticated.', ['credentials_invalid'])
  @ApiErrorResponse(429, '`rate_limited`: the account is backing off after wrong passwords; see `Retry-After`.', ['rate_limited'])
  @HttpCode(HttpStatus.NO_CONTENT)
  @JsonBody()
  async changePassword(
    @CurrentAuth() auth: AuthContext,
    @Body() dto: ChangePasswordDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.SigninRevoked, 'This account no longer exists');
    // Guessing the current password here counts against the account like failed logins.
    const verified = await this.throttle.guarded(user.email, async () => ((await this.hasher.verify(user.passwordHash, dto.currentPassword)) ? true : null));
    if (!verified) {
      throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.CredentialsInvalid, 'Current password is incorrect');
    }
    if (dto.newPassword === dto.currentPassword) {
      throw new CodedHttpException(HttpStatus.BAD_REQUEST, 'password_unchanged', 'newPassword must differ from currentPassword');
    }
    await this.users.setPassword(user.id, dto.newPassword);
    await this.signIns.revokeAll(user.id, 'password_change', auth);
    await this.oneTime.voidFor(user.id, OneTimeTokenPurpose.ResetPassword); // a pending reset link dies with the old password
    // The password was just proved: this sign-in counts as freshly authenticated.
    if (auth.strategy === AuthStrategy.Session) await this.sessions.renew(req, res);
    else await this.tokens.markAuthenticated(auth.signInId, user.id);
    this.events.emit(AuthEvent.PasswordChanged, { userId: user.id, signInId: auth.signInId });
  }

  /** `POST /auth/reauthenticate {password}` → 204; this sign-in's last authentication becomes now. */
  @Post('reauthenticate')
  @ApiOperation({
    summary: 'Confirm my password (re-authenticate)',
    description:
      "Makes this sign-in fresh: routes marked `fresh` (email change, account deletion, API-key creation) accept it for the next minutes (FRESH_AUTH_MAX_AGE). Wrong passwords count towards the account's back-off.",
  })
  @ApiBody({ type: ReauthenticateDto })
  @ApiNoContentResponse({ description: 'This sign-in is freshly authenticated.' })
  @ApiErrorResponse(401, '`credentials_invalid`: wrong password; or not authenticated.', ['credentials_invalid'])
  @ApiErrorResponse(429, '`rate_limited`: the account is backing off after wrong passwords; see `Retry-After`.', ['rate_limited'])
  @HttpCode(HttpStatus.NO_CONTENT)
  @JsonBody()
  async reauthenticate(@CurrentAuth() auth: AuthContext, @Body() dto: ReauthenticateDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.lifecycle.reauthenticate(auth, dto.password, req, res);
  }
}
