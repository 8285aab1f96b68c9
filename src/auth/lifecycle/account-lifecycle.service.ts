import { BadRequestException, BeforeApplicationShutdown, ConflictException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AuthContext, AuthErrorCode, AuthStrategy } from '../auth.types';
import { authUserOf, toUserView, UserView } from '../accounts/user.view';
import { UserEntity } from '../accounts/user.entity';
import { EmailTakenError, UsersRepository } from '../accounts/users.repository';
import { UsersService } from '../accounts/users.service';
import { normaliseEmail } from '../accounts/email';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { clientMeta } from '../http/client-meta';
import { CodedHttpException } from '../http/http-errors';
import { Mailer } from '../mail/mailer';
import { OneTimeTokenPurpose } from '../one-time-tokens/one-time-token.entity';
import { OneTimeTokensRepository } from '../one-time-tokens/one-time-tokens.repository';
import { PasswordHasher } from '../passwords/password-hasher';
import { SESSION_BACKEND, SessionBackend } from '../sessions/session-record';
import { SessionService } from '../sessions/session.service';
import { SignInsService } from '../sign-ins/sign-ins.service';
import { LoginThrottleService } from '../throttling/login-throttle.service';
import { TokenCookies } from '../tokens/token-cookies';
import { TokenService } from '../tokens/token.service';

const tokenInvalid = () => new CodedHttpException(HttpStatus.BAD_REQUEST, AuthErrorCode.TokenInvalid, 'This link is invalid, used or expired; ask for a new one');
const accountGone = () => new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.SigninRevoked, 'This account no longer exists');

/**
 * The account lifecycle of docs/API.md: email verification, password reset, re-authentication,
 * email change, profile, deletion. Mailed links carry one-time tokens (OneTimeTokensRepository);
 * mail goes out in the background (Mailer), so no answer depends on a mail server.
 */
@Injectable()
export class AccountLifecycleService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AccountLifecycle');
  private readonly background = new Set<Promise<void>>();

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly oneTime: OneTimeTokensRepository,
    private readonly mailer: Mailer,
    private readonly signIns: SignInsService,
    @Inject(SESSION_BACKEND) private readonly sessionBackend: SessionBackend,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly tokenCookies: TokenCookies,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottleService,
    private readonly events: AuthEvents,
  ) {}

  // --- Email verification ---------------------------------------------------------------

  /** A verification mail for the user's current address (after registration, on resend). */
  async sendVerification(user: Pick<UserEntity, 'id' | 'email'>): Promise<void> {
    const { emailVerificationTtlMs: validFor } = this.options.lifecycle;
    const token = await this.oneTime.issue({ userId: user.id, purpose: OneTimeTokenPurpose.VerifyEmail, email: user.email, ttlMs: validFor });
    this.mailer.send('verify-email', user.email, { email: user.email, url: this.mailer.link('verify-email', token), validFor });
  }

  /** Registration goes on whatever happens to its mail: a failure is logged, and resend exists. */
  sendVerificationAfterRegistration(user: UserEntity): void {
    this.inBackground('verification mail after registration', () => this.sendVerification(user));
  }

  /** `POST email/verify/resend`: a new link (voiding the old); nothing to send when already verified. */
  async resendVerification(auth: AuthContext): Promise<void> {
    await this.throttle.hitUserMail(auth.user.id);
    const user = await this.users.findById(auth.user.id);
    if (!user) throw accountGone();
    if (user.emailVerifiedAt) return;
    await this.sendVerification(user);
  }

  /** `POST email/verify {token}`: the address the link was sent to becomes verified, if it is still the user's. */
  async verifyEmail(token: string): Promise<void> {
    const result = await this.oneTime.consume(token, OneTimeTokenPurpose.VerifyEmail, async (spent, em) =>
      (await this.usersRepo.markEmailVerified(spent.userId, spent.email, em)) ? spent.userId : null,
    );
    if (!result?.value) throw tokenInvalid();
    this.events.emit(AuthEvent.EmailVerified, { userId: result.value });
  }

  // --- Password reset --------------------------------------------------------------------

  /**
   * `POST password/forgot {email}` → 202, whatever the address. Every path does the same visible
   * work — the throttle, one user lookup, an event — and the known-address path leaves the token
   * and the mail to the background, so neither the answer nor its timing tells accounts apart.
   */
  async forgotPassword(email: string, req: Request): Promise<void> {
    await this.throttle.hitPasswordReset(email);
    const user = await this.users.findByEmail(email);
    const eligible = user !== null && user.disabledAt === null;
    this.events.emit(AuthEvent.PasswordResetRequested, { email: normaliseEmail(email), userId: eligible ? user.id : null, ...clientMeta(req) });
    if (!eligible) return;
    this.inBackground('password reset mail', async () => {
      const { passwordResetTtlMs: validFor } = this.options.lifecycle;
      const token = await this.oneTime.issue({ userId: user.id, purpose: OneTimeTokenPurpose.ResetPassword, email: user.email, ttlMs: validFor });
      this.mailer.send('password-reset', user.email, { email: user.email, url: this.mailer.link('reset-password', token), validFor });
    });
  }

  /**
   * `POST password/reset {token, newPassword}`: the password is set, the address counts as
   * verified (the link reached it), and **every** sign-in ends. The new password was checked by
   * the body's validation before this runs, so a refused password leaves the token usable.
   * Sign-ins are ended before the password changes too: if the session store is down the reset
   * fails whole (503) and the link still works; the second pass catches sign-ins made meanwhile.
   */
  async resetPassword(token: string, newPassword: string, req: Request): Promise<void> {
    const pending = await this.oneTime.peek(token, OneTimeTokenPurpose.ResetPassword);
    if (!pending) throw tokenInvalid();
    const passwordHash = await this.hasher.hash(newPassword);
    await this.signIns.revokeAll(pending.userId, 'password_reset');
    const result = await this.oneTime.consume(token, OneTimeTokenPurpose.ResetPassword, async (spent, em) => {
      // Only while the address it was mailed to is still the account's, and the account is enabled.
      const [, affected]: [unknown, number] = await em.query(
        `UPDATE auth_users SET password_hash = $3, email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
          WHERE id = $1 AND email = $2 AND disabled_at IS NULL`,
        [spent.userId, spent.email, passwordHash],
      );
      return affected > 0 ? spent : null;
    });
    if (!result?.value) throw tokenInvalid();
    const { userId, email } = result.value;
    await this.signIns.revokeAll(userId, 'password_reset');
    this.mailer.send('password-reset-notice', email, { email });
    this.events.emit(AuthEvent.PasswordReset, { userId, ...clientMeta(req) });
  }

  // --- Re-authentication -----------------------------------------------------------------

  /**
   * `POST reauthenticate {password}`: the current sign-in's last authentication becomes now.
   * Wrong passwords count toward the account's back-off, as at login.
   */
  async reauthenticate(auth: AuthContext, password: string, req: Request, res: Response): Promise<void> {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw accountGone();
    const ok = await this.throttle.guarded(user.email, async () => ((await this.hasher.verify(user.passwordHash, password)) ? true : null));
    if (!ok) throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.CredentialsInvalid, 'Password is incorrect');
    await this.markAuthenticated(auth, req, res);
    this.events.emit(AuthEvent.Reauthenticated, { userId: user.id, signInId: auth.signInId });
  }

  /** The sign-in proved its password just now (reauthenticate, password change). */
  async markAuthenticated(auth: AuthContext, req: Request, res: Response): Promise<void> {
    if (auth.strategy === AuthStrategy.Session) {
      await this.sessions.markAuthenticated(req, res);
    } else if (!(await this.tokens.markAuthenticated(auth.signInId, auth.user.id))) {
      throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.SigninRevoked, 'This sign-in was revoked; sign in again');
    }
  }

  // --- Email change ----------------------------------------------------------------------

  /** `POST email {newEmail}` (fresh): a confirmation link to the new address, a notice to the old one. */
  async requestEmailChange(auth: AuthContext, newEmail: string): Promise<void> {
    // Counted first: the 409 below tells whether an address has an account, so probing is limited too.
    await this.throttle.hitUserMail(auth.user.id);
    const user = await this.users.findById(auth.user.id);
    if (!user) throw accountGone();
    if (newEmail === user.email) throw new BadRequestException('newEmail is already the address of this account');
    if (await this.users.findByEmail(newEmail)) throw new ConflictException('email is already registered');
    const { emailChangeTtlMs: validFor } = this.options.lifecycle;
    const token = await this.oneTime.issue({ userId: user.id, purpose: OneTimeTokenPurpose.ChangeEmail, email: newEmail, signInId: auth.signInId, ttlMs: validFor });
    this.mailer.send('email-change', newEmail, { newEmail, url: this.mailer.link('confirm-email', token), validFor });
    this.mailer.send('email-change-notice', user.email, { oldEmail: user.email, newEmail });
    this.events.emit(AuthEvent.EmailChangeRequested, { userId: user.id, signInId: auth.signInId });
  }

  /**
   * `POST email/confirm {token}`: the address changes (and is verified); every sign-in but the
   * one that asked ends. If the address was taken meanwhile: 409, and the link stays usable.
   */
  async confirmEmailChange(token: string): Promise<void> {
    let result: { value: { userId: string; signInId: string | null } | null } | null;
    try {
      result = await this.oneTime.consume(token, OneTimeTokenPurpose.ChangeEmail, async (spent, em) =>
        (await this.usersRepo.changeEmail(spent.userId, spent.email, em)) ? { userId: spent.userId, signInId: spent.signInId } : null,
      );
    } catch (err) {
      if (err instanceof EmailTakenError) throw new ConflictException('email is already registered');
      throw err;
    }
    if (!result?.value) throw tokenInvalid();
    const { userId, signInId } = result.value;
    await this.signIns.revokeAll(userId, 'email_change', signInId ? { signInId } : undefined);
    await this.refreshSignedInUser(userId);
    this.events.emit(AuthEvent.EmailChanged, { userId });
  }

  // --- Profile and deletion --------------------------------------------------------------

  /** `PATCH me {displayName}`: sessions show the new name at once; access tokens from their next refresh. */
  async updateProfile(auth: AuthContext, displayName: string | null): Promise<UserView> {
    await this.usersRepo.updateDisplayName(auth.user.id, displayName);
    const user = await this.refreshSignedInUser(auth.user.id);
    if (!user) throw accountGone();
    return toUserView(user);
  }

  /**
   * `DELETE me` (fresh): the user and everything of theirs — sign-ins, one-time tokens, API keys
   * (the database cascades; sessions in Redis are removed before and after) — and this client's
   * cookies.
   */
  async deleteAccount(auth: AuthContext, res: Response): Promise<void> {
    const userId = auth.user.id;
    await this.sessionBackend.removeAllForUser(userId);
    if (!(await this.usersRepo.delete(userId))) throw accountGone();
    await this.sessionBackend.removeAllForUser(userId); // a login that raced the deletion
    this.sessions.clearCookie(res);
    this.tokenCookies.clear(res);
    this.events.emit(AuthEvent.AccountDeleted, { userId, signInId: auth.signInId });
  }

  /** The user as stored now, copied into their live sessions (which carry it between requests). */
  private async refreshSignedInUser(userId: string): Promise<UserEntity | null> {
    const user = await this.users.findById(userId);
    if (user) await this.sessionBackend.updateUserForUser(userId, authUserOf(user));
    return user;
  }

  /** Work the answer must not wait for; a failure is logged without anything secret. */
  private inBackground(what: string, task: () => Promise<void>): void {
    // Started on the next turn of the event loop: not even its first synchronous steps run
    // before this request's answer is on its way.
    const running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((err: Error) => this.logger.warn(`${what} failed: ${err.message}`))
      .finally(() => this.background.delete(running));
    this.background.add(running);
  }

  /** Before the database closes: let tokens being issued in the background be written (10 s at most). */
  async beforeApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settledBackground(), new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
  }

  private async settledBackground(): Promise<void> {
    while (this.background.size) await Promise.allSettled([...this.background]);
  }

  /** Resolves once the work started in the background and the mail it queued are done (tests, shutdown). */
  async settled(): Promise<void> {
    await this.settledBackground();
    await this.mailer.idle();
  }
}
