import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CodedHttpException } from './http/http-errors';
import { AuthContext, AuthErrorCode, AuthStrategy, AuthStrategyName } from './auth.types';
import { REQUEST_AUTH_STRATEGIES, RequestAuthStrategy, RouteAuthOptions, StrategyFailure } from './strategies/request-strategy';
import { hasBearerApiKey } from './strategies/api-key.strategy';

const API_KEY_ONLY: readonly AuthStrategyName[] = [AuthStrategy.ApiKey];
const JWT_ONLY: readonly AuthStrategyName[] = [AuthStrategy.Jwt];

/**
 * The strategy chain (Laravel's `auth:web,api`): try the route's strategies in order, first
 * success wins, all failing is one 401 with the most telling reason.
 */
@Injectable()
export class AuthenticationService {
  private readonly byName = new Map<AuthStrategyName, RequestAuthStrategy>();

  constructor(@Inject(REQUEST_AUTH_STRATEGIES) strategies: RequestAuthStrategy[]) {
    for (const s of strategies) this.byName.set(s.name, s);
  }

  /** Names of the strategies this app has registered. */
  get available(): AuthStrategyName[] {
    return [...this.byName.keys()];
  }

  /** Synchronous unless a strategy needs I/O (a session read, a strict liveness check). */
  authenticate(req: Request, res: Response, strategies: AuthStrategyName[], options: RouteAuthOptions): AuthContext | Promise<AuthContext> {
    return this.tryFrom(req, res, this.candidatesFor(req, strategies), options, 0, []);
  }

  /**
   * A credential in a header decides alone, so a bad one is a 401 even beside a valid cookie (no
   * silent fallback to a different identity): `X-API-Key` or `Authorization: Bearer nda_…` → the
   * API-key strategy; any other `Authorization` → JWT (on routes that take them).
   */
  private candidatesFor(req: Request, strategies: AuthStrategyName[]): readonly AuthStrategyName[] {
    const takesKeys = strategies.includes(AuthStrategy.ApiKey);
    if (hasBearerApiKey(req)) {
      if (!takesKeys) throw unauthorized(req, [{ code: AuthErrorCode.TokenInvalid, message: 'API keys are not accepted on this route', credentialsPresent: true }]);
      return API_KEY_ONLY;
    }
    if (takesKeys && req.headers['x-api-key'] !== undefined) return API_KEY_ONLY;
    if (req.headers.authorization !== undefined && strategies.includes(AuthStrategy.Jwt)) return JWT_ONLY;
    return strategies;
  }

  private tryFrom(
    req: Request,
    res: Response,
    candidates: readonly AuthStrategyName[],
    options: RouteAuthOptions,
    index: number,
    failures: StrategyFailure[],
  ): AuthContext | Promise<AuthContext> {
    for (let i = index; i < candidates.length; i++) {
      const strategy = this.byName.get(candidates[i]);
      if (!strategy) throw new Error(`Auth strategy "${candidates[i]}" is not registered in AuthModule`);
      const result = strategy.authenticate(req, res, options);
      if (result instanceof Promise) {
        return result.then((r) => (r.ok ? accept(req, r.context) : this.tryFrom(req, res, candidates, options, i + 1, [...failures, r.failure])));
      }
      if (result.ok) return accept(req, result.context);
      failures.push(result.failure);
    }
    throw unauthorized(req, failures);
  }
}

function accept(req: Request, context: AuthContext): AuthContext {
  req.auth = context;
  return context;
}

function unauthorized(req: Request, failures: StrategyFailure[]): CodedHttpException {
  // A strategy that saw its credential explains better than one that saw nothing.
  const failure = failures.find((f) => f.credentialsPresent) ?? failures[0];
  const headers: Record<string, string> = {};
  if (req.headers.authorization !== undefined) {
    headers['WWW-Authenticate'] = 'Bearer error="invalid_token"'; // RFC 6750 §3
  }
  return new CodedHttpException(HttpStatus.UNAUTHORIZED, failure.code, failure.message, headers);
}
