import type { Request } from 'express';
import { passportJwtSecret } from 'jwks-rsa';
import { SecretOrKeyProvider, Strategy as JwtStrategy, VerifiedCallback } from 'passport-jwt';
import { AccessTokenPrincipal, AccessTokenVerifier, bearerTokenOf, checkHeader, InvalidAccessTokenError, KeySetUnavailableError, principalFrom } from './access-token';
import { jwksClientOptions, keyLookupError, PublicKeyCache } from './jwks-keys';
import type { ResolvedResourceServerOptions } from './resource-server.options';

/**
 * RS256 and ES256: passport-jwt (jsonwebtoken) with its key from the issuer's JWKS (jwks-rsa).
 *
 * The strategy is run per request the way passport's own middleware runs one (a fresh object
 * over the strategy with `success`/`fail`/`error` attached), not through passport's process-wide
 * registry: two services in one process — or a host and its tests — each keep their own key set
 * and issuer (local.strategy.ts avoids the registry for the same reason).
 */
export class PassportJwksVerifier implements AccessTokenVerifier {
  private readonly strategy: JwtStrategy;

  constructor(options: ResolvedResourceServerOptions) {
    const alg = options.algorithm;
    if (alg !== 'RS256' && alg !== 'ES256') throw new Error(`PassportJwksVerifier verifies RS256 and ES256, not ${alg}`);
    const fromJwks = passportJwtSecret({
      ...jwksClientOptions(options),
      handleSigningKeyError: (err, cb) => cb(keyLookupError(err)),
    });
    const keys = new PublicKeyCache();
    const secretOrKeyProvider: SecretOrKeyProvider<Request> = (req, rawToken: string, done) => {
      try {
        checkHeader(rawToken, alg); // refused before any key lookup, so it costs no JWKS fetch
      } catch (err) {
        return done(err);
      }
      fromJwks(req, rawToken, (err, pem) => {
        if (err) return done(err);
        // jwks-rsa answers (null, null) for a token it cannot decode; jsonwebtoken would then
        // fail with "secret or public key must be provided" — say what it is instead.
        if (!pem) return done(new InvalidAccessTokenError('no key for this token'));
        // jsonwebtoken takes a KeyObject too (the typings say string | Buffer).
        done(null, keys.get(pem.toString()) as unknown as string);
      });
    };
    this.strategy = new JwtStrategy(
      {
        jwtFromRequest: (req: Request) => bearerTokenOf(req) ?? null,
        secretOrKeyProvider,
        // Pinned at the top level, not only in `jsonWebTokenOptions`: passport-jwt 4 copies these
        // three over `jsonWebTokenOptions` even when undefined, which would silently switch the
        // issuer and audience checks off and let the key's type choose the algorithm.
        algorithms: [alg],
        issuer: options.issuer,
        audience: options.audience,
        jsonWebTokenOptions: { clockTolerance: options.clockToleranceSeconds },
      },
      (payload: unknown, done: VerifiedCallback) => {
        try {
          done(null, principalFrom(payload));
        } catch (err) {
          done(null, false, err);
        }
      },
    );
  }

  verify(req: Request): Promise<AccessTokenPrincipal> {
    return new Promise((resolve, reject) => {
      const run = Object.create(this.strategy) as JwtStrategy & {
        success(user: AccessTokenPrincipal): void;
        fail(challenge?: unknown): void;
        error(err: unknown): void;
        pass(): void;
        redirect(): void;
      };
      run.success = (principal) => resolve(principal);
      // passport-jwt reports every refusal through `fail`, the JWKS lookup's included.
      run.fail = (challenge) =>
        reject(challenge instanceof InvalidAccessTokenError || challenge instanceof KeySetUnavailableError ? challenge : new InvalidAccessTokenError(messageOf(challenge)));
      run.error = (err) => reject(err);
      // Never let a request through that did not prove anything.
      run.pass = () => reject(new InvalidAccessTokenError('strategy passed'));
      run.redirect = () => reject(new InvalidAccessTokenError('strategy redirected'));
      run.authenticate(req, {});
    });
  }
}

/** jsonwebtoken's reason (`jwt expired`, `jwt issuer invalid…`): for the log line, never the response. */
function messageOf(challenge: unknown): string {
  return challenge instanceof Error ? challenge.message : typeof challenge === 'string' ? challenge : 'token refused';
}
