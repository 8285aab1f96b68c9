import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';

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
  EmailVerified: 'auth.email.verified',
  PasswordResetRequested: 'auth.password.reset_requested',
  PasswordReset: 'auth.password.reset',
  EmailChangeRequested: 'auth.email.change_requested',
  EmailChanged: 'auth.email.changed',
  AccountDeleted: 'auth.account.deleted',
  Reauthenticated: 'auth.reauthenticated',
  ApiKeyCreated: 'auth.api_key.created',
  ApiKeyRevoked: 'auth.api_key.revoked',
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
  [AuthEvent.Throttled]: { scope: 'ip' | 'account' | 'password_reset' | 'mail'; ip?: string; email?: string; userId?: string };
  [AuthEvent.EmailVerified]: { userId: string };
  /** Every request, known address or not (`userId` null): what an enumeration attempt looks like. */
  [AuthEvent.PasswordResetRequested]: { email: string; userId: string | null; ip: string | null; userAgent: string | null };
  [AuthEvent.PasswordReset]: { userId: string; ip: string | null; userAgent: string | null };
  [AuthEvent.EmailChangeRequested]: { userId: string; signInId: string };
  [AuthEvent.EmailChanged]: { userId: string };
  [AuthEvent.AccountDeleted]: { userId: string; signInId: string };
  [AuthEvent.Reauthenticated]: { userId: string; signInId: string };
  [AuthEvent.ApiKeyCreated]: { userId: string; apiKeyId: string; scopes: string[] };
  [AuthEvent.ApiKeyRevoked]: { userId: string; apiKeyId: string };
}

/** What a listener receives: the payload plus the event's name and time. */
export type AuthEventOf<K extends AuthEventName> = AuthEventPayloads[K] & { event: K; at: string };

const WARN: ReadonlySet<AuthEventName> = new Set([AuthEvent.LoginFailed, AuthEvent.RefreshReuseDetected, AuthEvent.Throttled]);

/**
 * Emits auth events: each is written to the log (payloads hold no secrets by construction) and,
 * when the host imports `EventEmitterModule.forRoot()` (`@nestjs/event-emitter`), published there
 * for `@OnEvent(...)` listeners. Listening with `'auth.**'` needs `wildcard: true` in that module.
 */
@Injectable()
export class AuthEvents implements OnModuleInit {
  private readonly logger = new Logger('AuthEvents');
  private emitter?: { emit(event: string, payload: unknown): unknown };

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.emitter = findEventEmitter(this.moduleRef);
  }

  emit<K extends AuthEventName>(event: K, payload: AuthEventPayloads[K]): void {
    const e = { ...payload, event, at: new Date().toISOString() } satisfies AuthEventOf<K>;
    if (WARN.has(event)) this.logger.warn(e);
    else this.logger.log(e);
    this.emitter?.emit(event, e);
  }
}

/**
 * The host's `EventEmitter2`, if it has `@nestjs/event-emitter` installed and its module imported.
 * Looked up at startup rather than injected: the package is an optional peer, so this module
 * must load without it.
 */
function findEventEmitter(moduleRef: ModuleRef): { emit(event: string, payload: unknown): unknown } | undefined {
  let token: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    token = (require('@nestjs/event-emitter') as { EventEmitter2: unknown }).EventEmitter2;
  } catch {
    return undefined;
  }
  try {
    return moduleRef.get(token as never, { strict: false });
  } catch {
    return undefined;
  }
}
