import type { Request } from 'express';
import { isAccessTokenType, MAX_TOKEN_LENGTH } from '../auth/tokens/jwt-codec';
import type { ResourceServerAlgorithm } from './resource-server.options';

/** The verified claims of one of our access tokens (RFC 9068 profile, plus `sid` and `roles`). */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  roles: string[];
  iss: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

/** Who called: what `@AccessTokenPrincipal()` hands a handler. */
export interface AccessTokenPrincipal {
  /** The user id (`sub`). */
  userId: string;
  /** The sign-in (refresh-token family) the token was issued to (`sid`). */
  sessionId: string;
  roles: string[];
  claims: Readonly<AccessTokenClaims>;
}

/** Turns a request carrying `Authorization: Bearer …` into its principal, or throws one of the errors below. */
export interface AccessTokenVerifier {
  verify(req: Request): Promise<AccessTokenPrincipal>;
}

export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');

/** The token is not one this service accepts (→ 401 invalid_token). The message is for logs, never the response. */
export class InvalidAccessTokenError extends Error {
  override name = 'InvalidAccessTokenError';
}

/**
 * The issuer's key set could not be read (→ 503): an outage, not a bad token, so the caller should
 * retry rather than sign in again.
 */
export class KeySetUnavailableError extends Error {
  override name = 'KeySetUnavailableError';
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * The Bearer token (RFC 6750 §2.1), `undefined` when the request carries none, or `null` when the
 * header says Bearer but what follows cannot be a token.
 */
export function bearerTokenOf(req: Request): string | null | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) return undefined;
  return BEARER.exec(header)?.[1] ?? null;
}

/**
 * The checks that need no key, done before any key is looked up, so a token that can never pass
 * costs no JWKS fetch: the algorithm is the configured one (no `none`, no HS256 signed with the
 * public key as the secret), the type is `at+jwt` (an ID token or any other JWT signed with the
 * same key is not an access token), and a `kid` names the key (the JWKS holds several during a
 * rotation). Returns the `kid`.
 */
export function checkHeader(token: string, alg: ResourceServerAlgorithm): string {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidAccessTokenError('token too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidAccessTokenError('malformed token');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    throw new InvalidAccessTokenError('malformed token header');
  }
  if (!header || typeof header !== 'object') throw new InvalidAccessTokenError('malformed token header');
  const h = header as Record<string, unknown>;
  if (h.alg !== alg) throw new InvalidAccessTokenError('unexpected token algorithm');
  if (!isAccessTokenType(h.typ)) throw new InvalidAccessTokenError('not an access token (typ must be at+jwt)');
  if (h.crit !== undefined) throw new InvalidAccessTokenError('unsupported critical header');
  if (typeof h.kid !== 'string' || h.kid.length === 0) throw new InvalidAccessTokenError('token names no key (kid)');
  return h.kid;
}

/**
 * The claims every access token of ours carries, checked after the signature. Other claims pass
 * through untouched in `claims`.
 */
export function principalFrom(payload: unknown): AccessTokenPrincipal {
  const c = payload as Partial<AccessTokenClaims> | null;
  if (!c || typeof c !== 'object') throw new InvalidAccessTokenError('malformed token payload');
  // jsonwebtoken accepts a token without `exp` (it never expires): ours always have one.
  if (typeof c.exp !== 'number') throw new InvalidAccessTokenError('token has no expiry');
  if (typeof c.sub !== 'string' || !c.sub || typeof c.sid !== 'string' || !c.sid) {
    throw new InvalidAccessTokenError('token is missing sub or sid');
  }
  if (!Array.isArray(c.roles) || !c.roles.every((r) => typeof r === 'string')) throw new InvalidAccessTokenError('bad roles claim');
  const claims = c as AccessTokenClaims;
  return { userId: claims.sub, sessionId: claims.sid, roles: [...claims.roles], claims };
}
