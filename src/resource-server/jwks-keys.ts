import { createPublicKey, KeyObject } from 'node:crypto';
import type { Options as JwksClientOptions } from 'jwks-rsa';
import { InvalidAccessTokenError, KeySetUnavailableError } from './access-token';
import type { ResolvedResourceServerOptions } from './resource-server.options';

/**
 * One JWKS client policy for every algorithm: keys cached (10 minutes per `kid`), a `kid` not in
 * the cache fetched again — that is how a rotation is followed — but at most 10 fetches a minute,
 * so tokens with made-up `kid`s cannot turn this service into a load generator against the issuer.
 * A short timeout: a hung issuer becomes a quick 503, not requests piling up.
 */
export function jwksClientOptions(options: ResolvedResourceServerOptions): JwksClientOptions {
  return {
    jwksUri: options.jwksUrl,
    cache: true,
    cacheMaxEntries: 10,
    cacheMaxAge: 10 * 60_000,
    rateLimit: true,
    jwksRequestsPerMinute: 10,
    timeout: 5_000,
  };
}

/** An error from jwks-rsa → ours. A `kid` the issuer does not publish is a bad token; anything else an outage. */
export function keyLookupError(err: unknown): Error {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'SigningKeyNotFoundError') return new InvalidAccessTokenError('unknown key id');
  // Too many unknown `kid`s this minute: most likely made-up ones, so a refusal, not an outage alarm.
  if (name === 'JwksRateLimitError') return new InvalidAccessTokenError('key set fetch rate-limited');
  const detail = err instanceof Error ? err.message : (err as { errorMsg?: string } | null)?.errorMsg;
  return new KeySetUnavailableError(`JWKS unavailable: ${detail ?? 'unknown error'}`);
}

/**
 * jwks-rsa hands keys out as PEM; parsing one per request would be most of the cost of a
 * verification (the same reason jwt-keyring.ts keeps KeyObjects), so each PEM is parsed once.
 */
export class PublicKeyCache {
  private readonly keys = new Map<string, KeyObject>();

  get(pem: string): KeyObject {
    let key = this.keys.get(pem);
    if (!key) {
      // Bounded: the JWKS client caches at most 10 keys, so more distinct PEMs means old ones.
      if (this.keys.size >= 32) this.keys.clear();
      key = createPublicKey(pem);
      this.keys.set(pem, key);
    }
    return key;
  }
}
