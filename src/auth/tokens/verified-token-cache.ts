import type { JwtClaims } from './jwt-codec';

/**
 * Remembers access tokens whose signature and claims already verified, so a client that sends
 * the same token on every request for its lifetime pays for the HMAC or signature check and the
 * JSON parsing once (Envoy's `jwt_cache_config` does the same). Only tokens that passed every
 * check are stored, so nothing an attacker sends can enter it; `exp` is still checked on every
 * hit. The keys are fixed for the life of the process, so an entry never outlives its key.
 * Bounded: past `maxEntries` the oldest entry goes first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Readonly<JwtClaims>>();

  constructor(private readonly maxEntries: number) {}

  /** The token's claims if it verified before and has not expired by `now` (seconds). */
  get(token: string, now: number): Readonly<JwtClaims> | 'expired' | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp <= now) {
      this.entries.delete(token);
      return 'expired';
    }
    return claims;
  }

  add(token: string, claims: JwtClaims): void {
    if (this.maxEntries <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // Frozen: every request that hits this entry shares the object.
    Object.freeze(claims.roles);
    this.entries.set(token, Object.freeze(claims));
  }

  get size(): number {
    return this.entries.size;
  }
}
