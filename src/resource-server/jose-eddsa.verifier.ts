import type { Request } from 'express';
import { errors as joseErrors, jwtVerify } from 'jose';
import { JwksClient } from 'jwks-rsa';
import { ACCESS_TOKEN_TYPE } from '../auth/tokens/jwt-codec';
import { AccessTokenPrincipal, AccessTokenVerifier, bearerTokenOf, checkHeader, InvalidAccessTokenError, principalFrom } from './access-token';
import { jwksClientOptions, keyLookupError, PublicKeyCache } from './jwks-keys';
import type { ResolvedResourceServerOptions } from './resource-server.options';

/**
 * EdDSA (Ed25519): jsonwebtoken cannot verify it, so jose does. The key still comes from a
 * jwks-rsa client with the same policy as RS256/ES256 (cache, refetch on an unknown `kid`, rate
 * limit) — jose's own remote key set would refuse a freshly rotated key for up to 30 s (its
 * refetch cooldown) and report outages differently.
 *
 * jose 6 is ESM-only: `require('jose')` works on Node ≥ 20.19 (this package's engines).
 */
export class JoseEddsaVerifier implements AccessTokenVerifier {
  private readonly client: JwksClient;
  private readonly keys = new PublicKeyCache();

  constructor(private readonly options: ResolvedResourceServerOptions) {
    if (options.algorithm !== 'EdDSA') throw new Error(`JoseEddsaVerifier verifies EdDSA, not ${options.algorithm}`);
    this.client = new JwksClient(jwksClientOptions(options));
  }

  async verify(req: Request): Promise<AccessTokenPrincipal> {
    const token = bearerTokenOf(req);
    if (!token) throw new InvalidAccessTokenError('no bearer token');
    const kid = checkHeader(token, 'EdDSA'); // refused before any key lookup, so it costs no JWKS fetch
    let pem: string;
    try {
      pem = (await this.client.getSigningKey(kid)).getPublicKey();
    } catch (err) {
      throw keyLookupError(err);
    }
    try {
      const { payload } = await jwtVerify(token, this.keys.get(pem), {
        algorithms: ['EdDSA'],
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return principalFrom(payload);
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw new InvalidAccessTokenError(err.message);
      throw err;
    }
  }
}
