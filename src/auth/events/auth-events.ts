import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

/**
 * Auth events, emitted once per action. Subscribe with `@OnEvent(AuthEvent.LoginFailed)` (or
 * `'auth.**'` for all) to build an audit table or alerts. Payloads never carry secrets: no
 * passwords, tokens, cookies or hashes — only ids, the normalised email where a login is
 * concerned, and the client's IP and user agent.
 */
export const AuthEvent = {
  LoginSucceeded: 'auth.login.succeeded',
  LoginFailed: 'auth.login.failed',
  Logout: 'auth.logout',
  TokenRefreshed: 'auth.token.refreshed',
  RefreshReuseDetected: 'auth.token.reuse_detected',
  SignInRevoked: 'auth.signin.revoked',
  PasswordChanged: 'auth.password.changed',
  Throttled: 'auth.throttled',
} as const;
export type AuthEventName = (typeof AuthEvent)[keyof typeof AuthEvent];

export type SignInKind = 'session' | 'token';

export interface AuthEventPayloads {
  [AuthEvent.LoginSucceeded]: { userId: string; kind: SignInKind; signInId: string; ip: string | null; userAgent: string | null };
  [AuthEvent.LoginFailed]: { email: string; ip: string | null; userAgent: string | null };
  [AuthEvent.Logout]: { userId: string; signInId: string };
  [AuthEvent.TokenRefreshed]: { userId: string; signInId: string; replayedWithinGrace: boolean };
  [AuthEvent.RefreshReuseDetected]: { userId: string; signInId: string };
  /** `signInId` for one sign-in; `allExcept` (possibly null) when every sign-in but one ended. */
  [AuthEvent.SignInRevoked]: { userId: string | null; signInId?: string; allExcept?: string | null; reason: string };
  [AuthEvent.PasswordChanged]: { userId: string; signInId: string };
  [AuthEvent.Throttled]: { scope: 'ip' | 'account'; ip?: string; email?: string };
}

/** What a listener receives: the payload plus the event's name and time. */
export type AuthEventOf<K extends AuthEventName> = AuthEventPayloads[K] & { event: K; at: string };

@Injectable()
export class AuthEvents {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends AuthEventName>(event: K, payload: AuthEventPayloads[K]): void {
    this.emitter.emit(event, { ...payload, event, at: new Date().toISOString() } satisfies AuthEventOf<K>);
  }
}
