import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { AuthErrorCode, AuthRouteMetadata } from '../auth.types';
import { CodedHttpException } from '../http/http-errors';
import { RouteAuthOptions, signInFactsOf } from '../strategies/request-strategy';

type ProtectedRoute = Exclude<AuthRouteMetadata, { public: true }>;

/** What the strategies must look up for this route. */
export function strategyOptionsFor(route: ProtectedRoute): RouteAuthOptions {
  return { strict: route.strict, fresh: route.fresh !== undefined, verified: route.verified === true };
}

/**
 * `@Auth(…, { verified, fresh })`, after authentication: `403 email_unverified` for an unverified
 * caller; `403 reauthentication_required` when the sign-in's last authentication is older than the
 * route allows (the client asks for the password, calls `POST reauthenticate`, and retries).
 */
export function assertRouteRequirements(req: Request, route: ProtectedRoute, defaultFreshForMs: number): void {
  if (!route.verified && route.fresh === undefined) return;
  const facts = signInFactsOf(req);
  if (route.verified && facts.emailVerified !== true) {
    throw new CodedHttpException(HttpStatus.FORBIDDEN, AuthErrorCode.EmailUnverified, 'Verify your email address first');
  }
  if (route.fresh !== undefined) {
    const maxAge = route.fresh === 'default' ? defaultFreshForMs : route.fresh;
    if (facts.authenticatedAt === undefined || Date.now() - facts.authenticatedAt > maxAge) {
      throw new CodedHttpException(
        HttpStatus.FORBIDDEN,
        AuthErrorCode.ReauthenticationRequired,
        'This action needs a recent sign-in: confirm your password (POST reauthenticate) and retry',
      );
    }
  }
}
