/** The strategy names a route can accept, in one place. Use the constants or the literals. */
export const AuthStrategy = { Session: 'session', Jwt: 'jwt', ApiKey: 'apiKey' } as const;
export type AuthStrategyName = (typeof AuthStrategy)[keyof typeof AuthStrategy];
export const ALL_STRATEGIES: readonly AuthStrategyName[] = [AuthStrategy.Session, AuthStrategy.Jwt, AuthStrategy.ApiKey];

/** The user as sessions and access tokens carry it (no database read needed). */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string | null;
  roles: string[];
}

/**
 * What every strategy produces. Controllers read it with `@CurrentAuth()` and never need to know
 * which strategy succeeded — but can, through `strategy`.
 */
export interface AuthContext {
  user: AuthUser;
  strategy: AuthStrategyName;
  /** The sign-in this request belongs to: a session's public id, a token family id, or an API key's id. */
  signInId: string;
  /**
   * An API key's scopes (what `@Scopes()` checks). Absent for sessions and JWTs: those act with
   * all of their user's rights.
   */
  scopes?: string[];
}

/** Machine-readable reasons for 401/403 (docs/API.md § Conventions). */
export const AuthErrorCode = {
  CredentialsMissing: 'credentials_missing',
  CredentialsInvalid: 'credentials_invalid',
  TokenExpired: 'token_expired',
  TokenInvalid: 'token_invalid',
  SessionExpired: 'session_expired',
  SigninRevoked: 'signin_revoked',
  CsrfFailed: 'csrf_failed',
  ForbiddenRole: 'forbidden_role',
  OriginRejected: 'origin_rejected',
  RateLimited: 'rate_limited',
  EmailUnverified: 'email_unverified',
  InsufficientScope: 'insufficient_scope',
  ReauthenticationRequired: 'reauthentication_required',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** Per-route choice, set by `@Auth()` / `@Public()`; the method's wins over the class's. */
export type AuthRouteMetadata =
  | { public: true }
  | {
      public?: false;
      strategies: AuthStrategyName[];
      strict: boolean;
      /** Milliseconds the last authentication may be old, or the module's `lifecycle.freshFor`. */
      fresh?: number | 'default';
      /** Only callers whose email is verified. */
      verified?: boolean;
    };

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the authentication guard on protected routes. */
    auth?: AuthContext;
  }
}
