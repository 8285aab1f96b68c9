import { isUuid } from '../shared/uuid';
import { createHmac, KeyObject, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';

/**
 * Compact JWS (JWT) signing and verification on node:crypto, for the four algorithms we issue.
 * Why not jsonwebtoken/passport-jwt: jsonwebtoken cannot do EdDSA, and with a string secret it
 * re-parses the key on every call (docs/STACK-NOTES.md: ~50× slower). One small verifier keeps the rules
 * in one place: the algorithm is pinned (never read from the token), `kid` only selects among
 * keys we configured, and `exp`, `iss`, `aud` are required.
 */
export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'RS256' | 'ES256';

export interface JwtSigningKey {
  alg: JwtAlgorithm;
  kid?: string;
  /** HS256: a secret KeyObject; EdDSA/RS256: the private key. */
  key: KeyObject;
}

export interface JwtVerificationKey {
  alg: JwtAlgorithm;
  kid?: string;
  /** HS256: the secret KeyObject; EdDSA/RS256: a public key. */
  key: KeyObject;
}

export interface JwtClaims {
  sub: string;
  sid: string;
  roles: string[];
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  jti: string;
  email?: string;
  name?: string | null;
  nbf?: number;
}

export type JwtVerifyResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'expired' | 'invalid'; message: string };

/** Longer tokens are refused before any parsing work. */
export const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Every token we sign is an access token, and says so (RFC 9068 `typ: at+jwt`): a verifier that
 * checks the type — ours, the resource-server kit — cannot be handed another kind of JWT signed
 * with the same key.
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** RFC 9068 §4: `at+jwt`, or its full media type; media types compare case-insensitively. */
export const isAccessTokenType = (typ: unknown): boolean =>
  typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());

export function signJwt(claims: JwtClaims, key: JwtSigningKey): string {
  const header = key.kid ? { alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid } : { alg: key.alg, typ: ACCESS_TOKEN_TYPE };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${signature(key.alg, key.key, input).toString('base64url')}`;
}

function signature(alg: JwtAlgorithm, key: KeyObject, input: string): Buffer {
  switch (alg) {
    case 'HS256':
      return createHmac('sha256', key).update(input).digest();
    case 'EdDSA':
      return cryptoSign(null, Buffer.from(input), key);
    case 'RS256':
      return cryptoSign('sha256', Buffer.from(input), key);
    case 'ES256':
      // JWS wants the raw r‖s pair (RFC 7518 §3.4), not node's default DER encoding.
      return cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  }
}

function signatureValid(alg: JwtAlgorithm, key: KeyObject, input: string, sig: Buffer): boolean {
  switch (alg) {
    case 'HS256': {
      const expected = createHmac('sha256', key).update(input).digest();
      return sig.length === expected.length && timingSafeEqual(sig, expected);
    }
    case 'EdDSA':
      return cryptoVerify(null, Buffer.from(input), key, sig);
    case 'RS256':
      return cryptoVerify('sha256', Buffer.from(input), key, sig);
    case 'ES256':
      return sig.length === 64 && cryptoVerify('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, sig);
  }
}

export interface VerifyOptions {
  /** The one algorithm accepted. */
  alg: JwtAlgorithm;
  /** Keys by `kid` (asymmetric), or the single HS256 key under ''. */
  keys: ReadonlyMap<string, JwtVerificationKey>;
  issuer: string;
  audience: string;
  /** Seconds since the epoch (injectable for tests). */
  now?: number;
}

const invalid = (message: string): JwtVerifyResult => ({ ok: false, reason: 'invalid', message });

export function verifyJwt(token: string, options: VerifyOptions): JwtVerifyResult {
  if (token.length > MAX_TOKEN_LENGTH) return invalid('token too long');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p)) || !parts[0] || !parts[1] || !parts[2]) {
    return invalid('malformed token');
  }
  const header = parseJsonObject(parts[0]);
  if (!header) return invalid('malformed token header');
  // Pinned algorithm: `none`, `HS384`, an HS/RS switch … are refused whatever the case.
  if (header.alg !== options.alg) return invalid('unexpected token algorithm');
  if (!isAccessTokenType(header.typ)) return invalid('not an access token (typ must be at+jwt)');
  if (header.crit !== undefined) return invalid('unsupported critical header');
  if (header.jwk !== undefined || header.jku !== undefined || header.x5u !== undefined || header.x5c !== undefined) {
    return invalid('embedded or remote keys are not accepted');
  }
  let key: JwtVerificationKey | undefined;
  if (options.alg === 'HS256') {
    if (header.kid !== undefined) return invalid('unknown key id');
    key = options.keys.get('');
  } else {
    // `kid` only selects among configured keys: never a path, URL or query.
    key = typeof header.kid === 'string' ? options.keys.get(header.kid) : undefined;
  }
  if (!key || key.alg !== options.alg) return invalid('unknown key id');

  const sig = Buffer.from(parts[2], 'base64url');
  let valid: boolean;
  try {
    valid = signatureValid(options.alg, key.key, `${parts[0]}.${parts[1]}`, sig);
  } catch {
    valid = false;
  }
  if (!valid) return invalid('bad token signature');

  const c = parseJsonObject(parts[1]);
  if (!c) return invalid('malformed token payload');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!isNumericDate(c.exp)) return invalid('token has no expiry');
  if (c.nbf !== undefined && (!isNumericDate(c.nbf) || c.nbf > now)) return invalid('token not yet valid');
  if (!isNumericDate(c.iat) || c.iat > now + 60) return invalid('bad issued-at time');
  if (c.iss !== options.issuer) return invalid('wrong token issuer');
  const audOk = c.aud === options.audience || (Array.isArray(c.aud) && c.aud.includes(options.audience));
  if (!audOk) return invalid('wrong token audience');
  if (typeof c.sub !== 'string' || typeof c.sid !== 'string' || typeof c.jti !== 'string') {
    return invalid('token is missing required claims');
  }
  // Shape after signature: a token signed with our key but carrying a `sub` that is not a user id
  // must be a 401 here, not a query error (a 500) wherever the id meets a `uuid` column.
  if (!isUuid(c.sub) || !isUuid(c.sid)) return invalid('malformed sub or sid claim');
  if (!Array.isArray(c.roles) || !c.roles.every((r) => typeof r === 'string')) return invalid('bad roles claim');
  if (c.exp <= now) return { ok: false, reason: 'expired', message: 'access token expired' };
  return { ok: true, claims: c as unknown as JwtClaims };
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
