import { JwtClaims } from './jwt-codec';
import { VerifiedTokenCache } from './verified-token-cache';

const now = 1_800_000_000;
const claims = (exp: number): JwtClaims => ({ sub: 'u1', sid: 'f1', roles: ['user'], iat: now, exp, iss: 'i', aud: 'a', jti: 'j' });

describe('VerifiedTokenCache', () => {
  it('returns the claims of a token added before, and nothing for any other token', () => {
    const cache = new VerifiedTokenCache(10);
    cache.add('token-a', claims(now + 60));
    expect(cache.get('token-a', now)).toMatchObject({ sub: 'u1', exp: now + 60 });
    expect(cache.get('token-b', now)).toBeUndefined();
  });

  it('finds a token only by the whole token: one that shares its ending is another token', () => {
    const cache = new VerifiedTokenCache(10);
    const ending = 'S'.repeat(40);
    cache.add(`header.payload.${ending}`, claims(now + 60));
    expect(cache.get(`header.payload.${ending}`, now)).toMatchObject({ sub: 'u1' });
    expect(cache.get(`header.forged.${ending}`, now)).toBeUndefined();
    expect(cache.get(`xheader.payload.${ending}`, now)).toBeUndefined();
    expect(cache.get(ending, now)).toBeUndefined();
    expect(cache.get(`header.payload.${ending}`.slice(1), now)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('says expired at the exact second of exp, and forgets the token', () => {
    const cache = new VerifiedTokenCache(10);
    cache.add('t', claims(now + 60));
    expect(cache.get('t', now + 59)).not.toBe('expired');
    expect(cache.get('t', now + 60)).toBe('expired');
    expect(cache.size).toBe(0);
    expect(cache.get('t', now + 61)).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache(2);
    cache.add('t1', claims(now + 60));
    cache.add('t2', claims(now + 60));
    cache.add('t3', claims(now + 60));
    expect(cache.size).toBe(2);
    expect(cache.get('t1', now)).toBeUndefined();
    expect(cache.get('t2', now)).toBeDefined();
    expect(cache.get('t3', now)).toBeDefined();
  });

  it('shares frozen claims, so no request can change what the next one sees', () => {
    const cache = new VerifiedTokenCache(10);
    cache.add('t', claims(now + 60));
    const hit = cache.get('t', now) as JwtClaims;
    expect(Object.isFrozen(hit)).toBe(true);
    expect(() => hit.roles.push('admin')).toThrow(TypeError);
    expect((cache.get('t', now) as JwtClaims).roles).toEqual(['user']);
  });

  it('stores nothing when sized 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.add('t', claims(now + 60));
    expect(cache.get('t', now)).toBeUndefined();
  });
});
