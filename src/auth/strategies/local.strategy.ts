import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { UserView } from '../accounts/user.view';
import { CodedHttpException } from '../http/http-errors';
import { toUserView } from '../accounts/user.view';
import type { Request } from 'express';
import { clientMeta } from '../http/client-meta';
import { normaliseEmail } from '../accounts/email';
import { AuthService } from '../auth.service';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { LoginThrottleService } from '../throttling/login-throttle.service';
import { AuthErrorCode, AuthUser } from '../auth.types';

const LOGIN_USER = Symbol('nda.loginUser');

/** The user a login request proved to be (set by `LocalAuthGuard`, read by the login handlers). */
export function loginUserOf(req: Request): UserView {
  const user = (req as Request & { [LOGIN_USER]?: UserView })[LOGIN_USER];
  if (!user) throw new Error('no login user on this request: is LocalAuthGuard on the route?');
  return user;
}

export function setLoginUser(req: Request, user: UserView): void {
  (req as Request & { [LOGIN_USER]?: UserView })[LOGIN_USER] = user;
}


/** One message for unknown email and wrong password: the response never says which. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password';

export const invalidCredentials = () =>
  new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.CredentialsInvalid, INVALID_CREDENTIALS_MESSAGE);

/**
 * Email and password (the validated JSON body) → the user, or one generic 401. What
 * passport-local would do, without its process-wide strategy registry: two apps in one process
 * (a host and its tests, or two hosts) each keep their own.
 */
@Injectable()
export class LocalStrategy {
  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    private readonly auth: AuthService,
    private readonly throttle: LoginThrottleService,
    private readonly events: AuthEvents,
  ) {}

  async validate(req: Request, email: string, password: string): Promise<UserView> {
    // The attempt is reserved (and counted) before the password is checked: see LoginThrottleService.
    const user = await this.throttle.guarded(email, () => this.auth.verifyCredentials(email, password));
    if (!user) {
      this.events.emit(AuthEvent.LoginFailed, { email: normaliseEmail(email), ...clientMeta(req) });
      throw invalidCredentials();
    }
    // Said only to whoever knows the password: nobody else learns that the account exists.
    if (this.options.lifecycle.requireVerifiedEmail && !user.emailVerifiedAt) {
      throw new CodedHttpException(HttpStatus.FORBIDDEN, AuthErrorCode.EmailUnverified, 'Verify your email address first: follow the link in the mail we sent');
    }
    return toUserView(user);
  }
}
