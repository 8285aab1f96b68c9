import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthErrorCode, AuthStrategy } from '../auth.types';
import { isWellFormedApiKey, looksLikeApiKey } from '../api-keys/api-key-format';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { UsersRepository } from '../accounts/users.repository';
import { fail, RequestAuthStrategy, RouteAuthOptions, setSignInFacts, StrategyResult } from './request-strategy';

const BEARER_KEY = /^Bearer +(nda_\S*) *$/i;

/** The API key a request carries: `X-API-Key: nda_…`, or `Authorization: Bearer nda_…`. */
export function apiKeyOf(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string') return header.trim();
  const authorization = req.headers.authorization;
  return authorization ? BEARER_KEY.exec(authorization)?.[1] : undefined;
}

/** Whether the request's `Authorization` header holds an API key rather than a JWT. */
export function hasBearerApiKey(req: Request): boolean {
  const authorization = req.headers.authorization;
  return authorization !== undefined && BEARER_KEY.test(authorization) && looksLikeApiKey(BEARER_KEY.exec(authorization)![1]);
}

/**
 * An API key → its owner, with the key's scopes. A key that is malformed or whose checksum fails
 * is refused without a database query; a well-formed one costs one indexed lookup. A header
 * credential: no CSRF token is ever needed.
 */
@Injectable()
export class ApiKeyStrategy implements RequestAuthStrategy {
  readonly name = AuthStrategy.ApiKey;

  constructor(
    private readonly keys: ApiKeysService,
    private readonly users: UsersRepository,
  ) {}

  authenticate(req: Request, _res: unknown, options: RouteAuthOptions): StrategyResult | Promise<StrategyResult> {
    const presented = apiKeyOf(req);
    if (presented === undefined) return fail(AuthErrorCode.CredentialsMissing, 'Authentication required', false);
    if (!isWellFormedApiKey(presented)) return fail(AuthErrorCode.TokenInvalid, 'Invalid API key', true);
    return this.keys.authenticate(presented).then(async (key): Promise<StrategyResult> => {
      if (!key) return fail(AuthErrorCode.TokenInvalid, 'Invalid, expired or revoked API key', true);
      // Keys have no "last authentication": fresh routes refuse them (403 reauthentication_required).
      if (options.verified) setSignInFacts(req, { emailVerified: await this.users.isEmailVerified(key.user.id) });
      return { ok: true, context: { user: key.user, strategy: AuthStrategy.ApiKey, signInId: key.id, scopes: [...key.scopes] } };
    });
  }
}
