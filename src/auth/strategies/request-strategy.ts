import type { Request, Response } from 'express';
import { AuthContext, AuthErrorCode, AuthStrategyName } from '../auth.types';

export interface StrategyFailure {
  code: AuthErrorCode;
  message: string;
  /** Whether the request carried this strategy's credential at all (cookie, Bearer token). */
  credentialsPresent: boolean;
}

export type StrategyResult = { ok: true; context: AuthContext } | { ok: false; failure: StrategyFailure };

export interface RouteAuthOptions {
  strict: boolean;
  /** The route checks freshness: the strategy must find the sign-in's last authentication. */
  fresh?: boolean;
  /** The route needs a verified email: the strategy must find out whether it is. */
  verified?: boolean;
}

/** What a strategy found out about the sign-in beyond the `AuthContext`, when the route asked. */
export interface SignInFacts {
  /** Epoch ms of the sign-in's last authentication (login or reauthenticate). */
  authenticatedAt?: number;
  emailVerified?: boolean;
}

const FACTS = Symbol('nda.signInFacts');

export function setSignInFacts(req: Request, facts: SignInFacts): void {
  (req as Request & { [FACTS]?: SignInFacts })[FACTS] = facts;
}

export function signInFactsOf(req: Request): SignInFacts {
  return (req as Request & { [FACTS]?: SignInFacts })[FACTS] ?? {};
}

/**
 * A way to turn a request's credential into an `AuthContext`. It succeeds or fails — it never
 * "passes" an anonymous request through (unlike Passport's built-in session strategy).
 */
export interface RequestAuthStrategy {
  readonly name: AuthStrategyName;
  /** Synchronous when no I/O is needed (a plain JWT), so the hot path never waits a turn for nothing. */
  authenticate(req: Request, res: Response, options: RouteAuthOptions): StrategyResult | Promise<StrategyResult>;
}

export const REQUEST_AUTH_STRATEGIES = Symbol('REQUEST_AUTH_STRATEGIES');

export const fail = (code: AuthErrorCode, message: string, credentialsPresent: boolean): StrategyResult => ({
  ok: false,
  failure: { code, message, credentialsPresent },
});
