import { HttpStatus, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { CodedHttpException } from '../http/http-errors';
import { toUserView } from '../accounts/user.view';
import type { Request } from 'express';
import { clientMeta } from '../http/client-meta';
import { normaliseEmail } from '../accounts/email';
import { AuthService } from '../auth.service';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { LoginThrottleService } from '../throttling/login-throttle.service';
import { AuthErrorCode, AuthUser } from '../auth.types';

/** One message for unknown email and wrong password: the response never says which. */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password';

export const invalidCredentials = () =>
  new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.CredentialsInvalid, INVALID_CREDENTIALS_MESSAGE);

/** passport-local: `{email, password}` in the JSON body → the user, or one generic 401. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly auth: AuthService,
    private readonly throttle: LoginThrottleService,
    private readonly events: AuthEvents,
  ) {
    super({ usernameField: 'email', passwordField: 'password', session: false, passReqToCallback: true });
  }

  async validate(req: Request, email: string, password: string): Promise<AuthUser> {
    // The attempt is reserved (and counted) before the password is checked: see LoginThrottleService.
    const user = await this.throttle.guarded(email, () => this.auth.verifyCredentials(email, password));
    if (!user) {
      this.events.emit(AuthEvent.LoginFailed, { email: normaliseEmail(email), ...clientMeta(req) });
      throw invalidCredentials();
    }
    return toUserView(user);
  }
}
