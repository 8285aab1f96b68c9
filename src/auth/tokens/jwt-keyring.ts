import { createHash, createPrivateKey, createPublicKey, createSecretKey, hkdfSync, KeyObject } from 'node:crypto';
import type { AuthOptions } from '../auth.options';
import { JwtAlgorithm, JwtSigningKey, JwtVerificationKey } from './jwt-codec';

export interface PublicJwk {
  kty: string;
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
  [member: string]: unknown;
}

/**
 * The keys of this deployment, built once at boot:
 * - no `JWT_PRIVATE_KEY`: HS256 with `JWT_SECRET` as a KeyObject (a string key is re-parsed on
 *   every call by jsonwebtoken — docs/STACK-NOTES.md), no `kid`, empty JWKS;
 * - an Ed25519, EC P-256 or RSA private key: EdDSA, ES256 or RS256, `kid` = RFC 7638 thumbprint, and the JWKS
 *   lists it, then `JWT_NEXT_PUBLIC_KEYS` (published ahead of a rotation), then
 *   `JWT_PREVIOUS_PUBLIC_KEYS` (still-valid keys after one). All of them verify: during a rolling
 *   switch, instances already signing with the next key and those not yet must accept each
 *   other's tokens.
 * The refresh-token successor key and the CSRF-token key are derived from `JWT_SECRET` (HKDF),
 * in every mode.
 */
export class JwtKeyring {
  readonly alg: JwtAlgorithm;
  readonly signing: JwtSigningKey;
  readonly verification: ReadonlyMap<string, JwtVerificationKey>;
  readonly jwks: { keys: PublicJwk[] };
  readonly refreshKey: KeyObject;
  /** Keys the CSRF tokens of cookie-carried sign-ins (see CsrfTokens). */
  readonly csrfKey: KeyObject;

  constructor(jwt: AuthOptions['jwt']) {
    const derive = (purpose: string) => createSecretKey(Buffer.from(hkdfSync('sha256', Buffer.from(jwt.secret), Buffer.alloc(0), purpose, 32)));
    this.refreshKey = derive('nest-dual-auth refresh-token successor');
    this.csrfKey = derive('nest-dual-auth csrf token');
    if (!jwt.privateKeyPem) {
      const key = createSecretKey(Buffer.from(jwt.secret));
      this.alg = 'HS256';
      this.signing = { alg: 'HS256', key };
      this.verification = new Map([['', { alg: 'HS256', key }]]);
      this.jwks = { keys: [] };
      return;
    }
    const privateKey = createPrivateKey(jwt.privateKeyPem);
    this.alg = algorithmOf(privateKey);
    const current = createPublicKey(privateKey);
    const publicKeys = [current, ...[jwt.nextPublicKeysPem, jwt.previousPublicKeysPem].flatMap((pems) => splitPem(pems ?? '').map((pem) => createPublicKey(pem)))];
    const verification = new Map<string, JwtVerificationKey>();
    const jwks: PublicJwk[] = [];
    for (const key of publicKeys) {
      if (algorithmOf(key) !== this.alg) throw new Error('JWT_PREVIOUS_PUBLIC_KEYS must be of the same type as JWT_PRIVATE_KEY');
      const kid = thumbprint(key);
      if (verification.has(kid)) continue;
      verification.set(kid, { alg: this.alg, kid, key });
      jwks.push({ ...(key.export({ format: 'jwk' }) as { kty: string }), kid, alg: this.alg, use: 'sig' });
    }
    this.signing = { alg: this.alg, kid: thumbprint(current), key: privateKey };
    this.verification = verification;
    this.jwks = { keys: jwks };
  }
}

/** EdDSA for Ed25519, ES256 for EC P-256, RS256 for RSA (≥ 2048 bits); anything else is a configuration error. */
export function algorithmOf(key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec') {
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('EC keys must be on the P-256 curve (ES256)');
    return 'ES256';
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('RSA keys must have at least 2048 bits');
    return 'RS256';
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? key.type}: use Ed25519, EC P-256 or RSA`);
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url). */
export function thumbprint(key: KeyObject): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' }) as Record<string, string>;
  // RFC 7638 §3.2: the required members only, in lexicographic order.
  const members =
    jwk.kty === 'OKP'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}
