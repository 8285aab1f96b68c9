import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { JwtClaims, signJwt, verifyJwt } from './jwt-codec';
import { thumbprint } from './jwt-keyring';

const now = 1_800_000_000;
const claims: JwtClaims = { sub: '6f1c2c36-5b7e-4b8e-9a52-0c6b1d0d3a11', sid: '0b7e8a5e-0f5d-4d38-8c4e-2f5e1a9f6c22', roles: ['user'], iat: now, exp: now + 60, iss: 'iss', aud: 'aud', jti: 'j' };
const secret = createSecretKey(Buffer.from('a-secret-that-is-definitely-long-enough'));
const hsKeys = new Map([['', { alg: 'HS256' as const, key: secret }]]);
const opts = { alg: 'HS256' as const, keys: hsKeys, issuer: 'iss', audience: 'aud', now };

describe('jwt codec', () => {
  it('round-trips HS256', () => {
    expect(verifyJwt(signJwt(claims, { alg: 'HS256', key: secret }), opts)).toEqual({ ok: true, claims });
  });

  it('tells expired from invalid, and checks expiry at the exact second', () => {
    const token = signJwt(claims, { alg: 'HS256', key: secret });
    expect(verifyJwt(token, { ...opts, now: now + 59 }).ok).toBe(true);
    expect(verifyJwt(token, { ...opts, now: now + 60 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyJwt(token, { ...opts, audience: 'other' })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('pins the algorithm: an EdDSA token is refused where HS256 is expected and vice versa', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = thumbprint(publicKey);
    const ed = signJwt(claims, { alg: 'EdDSA', kid, key: privateKey });
    expect(verifyJwt(ed, opts)).toMatchObject({ ok: false, message: 'unexpected token algorithm' });
    const edOpts = { ...opts, alg: 'EdDSA' as const, keys: new Map([[kid, { alg: 'EdDSA' as const, kid, key: publicKey }]]) };
    expect(verifyJwt(ed, edOpts).ok).toBe(true);
    expect(verifyJwt(signJwt(claims, { alg: 'HS256', key: secret }), edOpts)).toMatchObject({ ok: false });
    expect(verifyJwt(signJwt(claims, { alg: 'EdDSA', kid: 'other', key: privateKey }), edOpts)).toMatchObject({ message: 'unknown key id' });
  });

  it('ES256: signs the raw r‖s pair (64 bytes), which a standard verifier (node, JWS-style) accepts', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = thumbprint(publicKey);
    const token = signJwt(claims, { alg: 'ES256', kid, key: privateKey });
    const [h, p, sig] = token.split('.');
    expect(Buffer.from(sig, 'base64url')).toHaveLength(64);
    const { verify } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))).toBe(true);
    const esOpts = { ...opts, alg: 'ES256' as const, keys: new Map([[kid, { alg: 'ES256' as const, kid, key: publicKey }]]) };
    expect(verifyJwt(token, esOpts)).toEqual({ ok: true, claims });
    // A DER-encoded signature (node's default) is not a JWS signature.
    const { sign } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const der = sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url');
    expect(verifyJwt(`${h}.${p}.${der}`, esOpts)).toMatchObject({ ok: false });
  });

  it('only access tokens: typ must be at+jwt (RFC 9068)', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const forge = (header: object) => {
      const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    expect(verifyJwt(forge({ alg: 'HS256', typ: 'at+jwt' }), opts).ok).toBe(true);
    expect(verifyJwt(forge({ alg: 'HS256', typ: 'application/AT+JWT' }), opts).ok).toBe(true);
    expect(verifyJwt(forge({ alg: 'HS256', typ: 'JWT' }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifyJwt(forge({ alg: 'HS256' }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses well-signed tokens whose claims have the wrong shape', () => {
    const sign = (c: Record<string, unknown>) => signJwt(c as unknown as JwtClaims, { alg: 'HS256', key: secret });
    expect(verifyJwt(sign({ ...claims, sub: 'not-a-uuid' }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifyJwt(sign({ ...claims, sid: "1' OR 1=1" }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifyJwt(sign({ ...claims, sub: 42 }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifyJwt(sign({ ...claims, roles: ['user', 7] }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(verifyJwt(sign({ ...claims, roles: 'admin' }), opts)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('thumbprints follow RFC 7638 (its RSA example)', () => {
    const { createPublicKey } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const key = createPublicKey({
      format: 'jwk',
      key: {
        kty: 'RSA',
        e: 'AQAB',
        n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      },
    });
    expect(thumbprint(key)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
