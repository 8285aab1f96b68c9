import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthErrorCode, AuthStrategy } from '../auth.types';
import { constantTimeEqual, markCookieCredential } from '../csrf/csrf.guard';
import { SessionService } from '../sessions/session.service';
import { UsersRepository } from '../accounts/users.repository';
import { fail, RequestAuthStrategy, RouteAuthOptions, setSignInFacts, StrategyResult } from './request-strategy';

/** The session cookie → the signed-in session's user. Fails (401) when there is no live session. */
@Injectable()
export class SessionCookieStrategy implements RequestAuthStrategy {
  readonly name = AuthStrategy.Session;

  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersRepository,
  ) {}

  async authenticate(req: Request, _res: unknown, options: RouteAuthOptions): Promise<StrategyResult> {
    if (!this.sessions.hasCookie(req)) {
      return fail(AuthErrorCode.CredentialsMissing, 'Authentication required', false);
    }
    const auth = await this.sessions.read(req);
    if (!auth) {
      // Expired (idle or absolute), signed out, revoked, or a cookie that does not verify.
      return fail(AuthErrorCode.SessionExpired, 'Session expired or signed out; sign in again', true);
    }
    // A cookie credential: unsafe requests must echo the session's synchronizer token.
    markCookieCredential(req, { csrfValid: (presented) => constantTimeEqual(presented, auth.csrfToken) });
    // The session holds its last authentication; verification can change after login (a link
    // followed elsewhere), so `verified` routes ask the database.
    if (options.fresh || options.verified) {
      setSignInFacts(req, {
        authenticatedAt: auth.authenticatedAt,
        emailVerified: options.verified ? await this.users.isEmailVerified(auth.user.id) : undefined,
      });
    }
    return { ok: true, context: { user: auth.user, strategy: AuthStrategy.Session, signInId: auth.signInId } };
  }
}
