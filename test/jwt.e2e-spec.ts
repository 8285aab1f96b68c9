import { tmpdir } from 'node:os';
import { loadConfig } from '../src/app/config/load-config';
import { createHash, createHmac, createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import request from 'supertest';
import { createUser, loginSession, sleep, TestUser } from './utils/auth-helpers';
import { decodePart, issueTokens, rawToken, refresh, signWithTestSecret } from './utils/token-helpers';
import { startTestApp, TEST_SECRETS, TestApp, withTestApp } from './utils/test-app';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('JWT strategy', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  describe('POST /auth/token', () => {
    it('issues a pair: a short-lived access token with the contract claims and an opaque refresh token', async () => {
      const res = await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        refreshExpiresIn: expect.any(Number),
      });
      expect(res.body.refreshExpiresIn).toBeGreaterThan(7 * 86400 - 10);
      expect(decodePart(res.body.accessToken, 0)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
      const claims = decodePart(res.body.accessToken, 1);
      expect(claims).toMatchObject({ sub: user.id, roles: ['user'], iss: 'nest-dual-auth', aud: 'nest-dual-auth-api' });
      expect(claims.exp as number).toBe((claims.iat as number) + 900);
      expect(typeof claims.sid).toBe('string');
      expect(typeof claims.jti).toBe('string');
      // Stored as a hash only.
      const rows = await t.sql('SELECT hash FROM auth_refresh_tokens WHERE family_id = $1', [claims.sid]);
      expect(rows).toEqual([{ hash: sha256(res.body.refreshToken) }]);
    });

    it('refuses bad credentials like login does', async () => {
      const res = await request(t.http).post('/auth/token').send({ email: user.email, password: 'not the password' }).expect(401);
      expect(res.body.code).toBe('credentials_invalid');
      await request(t.http).post('/auth/token').type('form').send({ email: user.email, password: user.password }).expect(415);
      await request(t.http).post('/auth/token').send({ email: user.email }).expect(400);
    });
  });

  describe('Bearer routes', () => {
    it('accepts the access token on JWT and either-strategy routes, with no CSRF token needed', async () => {
      const { accessToken } = await issueTokens(t, user);
      await request(t.http).get('/examples/jwt').set(bearer(accessToken)).expect(200, { strategy: 'jwt' });
      await request(t.http).get('/examples/jwt-strict').set(bearer(accessToken)).expect(200, { strategy: 'jwt' });
      const any = await request(t.http).get('/examples/any').set(bearer(accessToken)).expect(200);
      expect(any.body).toEqual({ strategy: 'jwt', userId: user.id });
      const echo = await request(t.http).post('/examples/echo').set(bearer(accessToken)).send({ hello: 'world' }).expect(201);
      expect(echo.body).toEqual({ strategy: 'jwt', body: { hello: 'world' } });
      const me = await request(t.http).get('/auth/me').set(bearer(accessToken)).expect(200);
      expect(me.body).toEqual({
        user: { id: user.id, email: user.email, displayName: null, roles: ['user'], emailVerified: false, createdAt: user.createdAt },
        auth: { strategy: 'jwt', signInId: decodePart(accessToken, 1).sid },
      });
      await request(t.http).get('/examples/admin').set(bearer(accessToken)).expect(403);
    });

    it('session-only routes refuse Bearer; JWT-only routes refuse the session cookie', async () => {
      const { accessToken } = await issueTokens(t, user);
      const s = await loginSession(t, user);
      const r1 = await request(t.http).get('/examples/session').set(bearer(accessToken)).expect(401);
      expect(r1.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      await request(t.http).get('/examples/jwt').set('Cookie', s.cookie).expect(401);
      await request(t.http).get('/examples/jwt-strict').set('Cookie', s.cookie).expect(401);
      await request(t.http).get('/examples/any').set('Cookie', s.cookie).expect(200, { strategy: 'session', userId: user.id });
    });

    it('an invalid Bearer token is 401 even beside a valid session cookie (the header alone decides)', async () => {
      const s = await loginSession(t, user);
      const res = await request(t.http).get('/examples/any').set('Cookie', s.cookie).set(bearer('not.a.token')).expect(401);
      expect(res.body.code).toBe('token_invalid');
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('an expired access token is 401 token_expired (refresh, then retry)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = signWithTestSecret({ sub: user.id, sid: '00000000-0000-4000-8000-000000000000', roles: ['user'], iat: now - 100, exp: now - 1, iss: 'nest-dual-auth', aud: 'nest-dual-auth-api', jti: 'x' });
      const res = await request(t.http).get('/examples/jwt').set(bearer(token)).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'token_expired' });
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });
  });

  describe('forged tokens are refused with 401 + WWW-Authenticate, never 500', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = () => ({ sub: user.id, sid: '00000000-0000-4000-8000-000000000000', roles: ['admin'], iat: now(), exp: now() + 600, iss: 'nest-dual-auth', aud: 'nest-dual-auth-api', jti: 'forged' });
    const hmac = (alg: 'sha256' | 'sha384', secret: string, input: string) => createHmac(alg, secret).update(input).digest('base64url');
    const signedRaw = (header: object, payload: object, alg: 'sha256' | 'sha384' = 'sha256', secret = TEST_SECRETS.JWT_SECRET) => {
      const unsigned = rawToken(header, payload).slice(0, -1);
      return `${unsigned}.${hmac(alg, secret, unsigned)}`;
    };

    const cases: Array<[string, () => string]> = [
      ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, () => string] => [`alg: ${alg}`, () => rawToken({ alg, typ: 'at+jwt' }, claims())]),
      ['alg: none with a signature', () => rawToken({ alg: 'none' }, claims(), 'c2lnbmF0dXJl')],
      ['HS384 with our secret', () => signedRaw({ alg: 'HS384', typ: 'at+jwt' }, claims(), 'sha384')],
      ['RS256 header over an HMAC signature', () => signedRaw({ alg: 'RS256', typ: 'at+jwt' }, claims())],
      ['another secret', () => signWithTestSecret(claims(), 'some-other-secret-that-is-long-enough-000')],
      ['nbf in the future', () => signWithTestSecret({ ...claims(), nbf: now() + 3600 })],
      ['wrong issuer', () => signWithTestSecret({ ...claims(), iss: 'evil' })],
      ['wrong audience', () => signWithTestSecret({ ...claims(), aud: 'other-api' })],
      ['missing exp', () => signWithTestSecret({ ...claims(), exp: undefined })],
      ['exp as a string', () => signWithTestSecret({ ...claims(), exp: 'never' as unknown as number })],
      ['tampered payload', () => {
        const good = signWithTestSecret({ ...claims(), roles: ['user'] });
        const [h, , s] = good.split('.');
        return `${h}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.${s}`;
      }],
      ['kid path injection', () => signedRaw({ alg: 'HS256', typ: 'at+jwt', kid: '../../../../dev/null' }, claims())],
      ['kid SQL injection', () => signedRaw({ alg: 'HS256', typ: 'at+jwt', kid: "' OR '1'='1" }, claims())],
      // RFC 9068: only access tokens (typ at+jwt) are accepted, whatever else is right about them.
      ['typ: JWT (another kind of token, our key)', () => signedRaw({ alg: 'HS256', typ: 'JWT' }, claims())],
      ['no typ (our key)', () => signedRaw({ alg: 'HS256' }, claims())],
      ['typ: refresh+jwt (our key)', () => signedRaw({ alg: 'HS256', typ: 'refresh+jwt' }, claims())],
      ['embedded jwk', () => signedRaw({ alg: 'HS256', typ: 'at+jwt', jwk: { kty: 'oct', k: 'AAAA' } }, claims())],
      ['header not JSON', () => `${Buffer.from('{not json').toString('base64url')}.e30.abc`],
      ['payload an array', () => signedRaw({ alg: 'HS256', typ: 'at+jwt' }, [1, 2, 3] as unknown as object)],
      ['two parts', () => 'abc.def'],
      ['four parts', () => 'a.b.c.d'],
      ['non-base64 characters', () => 'a$b.c!d.e%f'],
      ['a 10 kB token', () => 'a'.repeat(5000) + '.' + 'b'.repeat(5000) + '.c'],
      // Signed with the real key, but claims of the wrong shape: 401, never a query error.
      ['sub not a UUID', () => signWithTestSecret({ ...claims(), sub: 'not-a-uuid' })],
      ['sid not a UUID', () => signWithTestSecret({ ...claims(), sid: "x' OR '1'='1" })],
      ['roles not a string array', () => signWithTestSecret({ ...claims(), roles: [{ admin: true }] as unknown as string[] })],
    ];
    it.each(cases)('%s', async (_name, make) => {
      for (const path of ['/examples/jwt', '/examples/jwt-strict', '/examples/admin', '/auth/me']) {
        const res = await request(t.http).get(path).set(bearer(make()));
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(res.body.code).toBe('token_invalid');
      }
    });

    it.each([['Bearer'], ['Bearer '], ['Basic dXNlcjpwYXNz'], ['bearer'], ['Bearer a b c'], ['Token abc'], ['Bearer é']])(
      'garbage Authorization header %p',
      async (header) => {
        const res = await request(t.http).get('/examples/jwt').set('Authorization', header).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      },
    );
  });

  describe('a token accepted before (remembered as verified)', () => {
    it('is judged by the whole Authorization header, as on first sight', async () => {
      const { accessToken } = await issueTokens(t, user);
      const get = (header: string) => request(t.http).get('/examples/jwt').set('Authorization', header);
      expect((await get(`Bearer ${accessToken}`)).status).toBe(200); // now remembered
      for (const ok of [`Bearer ${accessToken}`, `bearer ${accessToken}`, `Bearer   ${accessToken}`, `BEARER ${accessToken} `]) {
        expect({ header: ok, status: (await get(ok)).status }).toEqual({ header: ok, status: 200 });
      }
      for (const bad of [`Bearer ${accessToken}x`, `Bearer ${accessToken}!`, `Bearer ${accessToken} extra`, `Bearer ${accessToken}.`, `Token ${accessToken}`]) {
        const res = await get(bad);
        expect({ header: bad, status: res.status, code: res.body.code }).toEqual({ header: bad, status: 401, code: 'token_invalid' });
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
    });
  });

  describe('refresh rotation', () => {
    it('rotates: a new pair, the old token spent, the new one usable', async () => {
      const first = await issueTokens(t, user);
      const res = await refresh(t, first.refreshToken).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.refreshToken).not.toBe(first.refreshToken);
      expect(decodePart(res.body.accessToken, 1).sid).toBe(decodePart(first.accessToken, 1).sid);
      expect(res.body.refreshExpiresIn).toBeLessThanOrEqual(first.refreshExpiresIn);
      const [spent] = await t.sql<{ spent_at: Date | null }>('SELECT spent_at FROM auth_refresh_tokens WHERE hash = $1', [sha256(first.refreshToken)]);
      expect(spent.spent_at).not.toBeNull();
      await request(t.http).get('/examples/jwt-strict').set(bearer(res.body.accessToken)).expect(200);
      await refresh(t, res.body.refreshToken).expect(200);
    });

    it('returns the identical successor when a just-spent token comes back within the grace window', async () => {
      const first = await issueTokens(t, user);
      const a = await refresh(t, first.refreshToken).expect(200);
      const b = await refresh(t, first.refreshToken).expect(200);
      expect(b.body.refreshToken).toBe(a.body.refreshToken);
      const children = await t.sql('SELECT hash FROM auth_refresh_tokens WHERE parent_hash = $1', [sha256(first.refreshToken)]);
      expect(children).toHaveLength(1);
    });

    it('revokes the whole family when a spent token is reused after its successor was used', async () => {
      const t1 = await issueTokens(t, user);
      const t2 = (await refresh(t, t1.refreshToken).expect(200)).body;
      const t3 = (await refresh(t, t2.refreshToken).expect(200)).body;
      const reuse = await refresh(t, t1.refreshToken).expect(401);
      expect(reuse.body.code).toBe('signin_revoked');
      await refresh(t, t3.refreshToken).expect(401); // the newest token dies with its family
      await request(t.http).get('/examples/jwt-strict').set(bearer(t3.accessToken)).expect(401);
      // Stateless routes keep accepting the access token until its exp: the documented trade-off.
      await request(t.http).get('/examples/jwt').set(bearer(t3.accessToken)).expect(200);
      const [family] = await t.sql<{ revoked_reason: string }>('SELECT revoked_reason FROM auth_refresh_families WHERE id = $1', [decodePart(t1.accessToken, 1).sid]);
      expect(family.revoked_reason).toBe('reuse');
    });

    it('refuses unknown, malformed and missing refresh tokens', async () => {
      const unknown = await refresh(t, 'A'.repeat(43)).expect(401);
      expect(unknown.body.code).toBe('token_invalid');
      await refresh(t, 'short').expect(401);
      // `{}` is the cookie transport's refresh: without the refresh cookie, an unknown token.
      expect((await request(t.http).post('/auth/token/refresh').send({}).expect(401)).body.code).toBe('token_invalid');
      await request(t.http).post('/auth/token/refresh').send({ refreshToken: 42 }).expect(400);
      await request(t.http).post('/auth/token/refresh').set('Cookie', 'refreshToken=abc').send({}).expect(401);
      await request(t.http).post('/auth/token/refresh').type('form').send({ refreshToken: 'x' }).expect(415);
    });

    it('refuses refresh for a disabled user', async () => {
      const u = await createUser(t, { prefix: 'disabled' });
      const pair = await issueTokens(t, u);
      await t.sql('UPDATE auth_users SET disabled_at = now() WHERE id = $1', [u.id]);
      const res = await refresh(t, pair.refreshToken).expect(401);
      expect(res.body.code).toBe('signin_revoked');
      await request(t.http).get('/examples/jwt-strict').set(bearer(pair.accessToken)).expect(401);
      await request(t.http).post('/auth/token').send({ email: u.email, password: u.password }).expect(401);
    });
  });

  describe('POST /auth/token/revoke', () => {
    it('revokes the family (refresh and strict routes 401), idempotently', async () => {
      const pair = await issueTokens(t, user);
      await request(t.http).post('/auth/token/revoke').send({ refreshToken: pair.refreshToken }).expect(204);
      await request(t.http).post('/auth/token/revoke').send({ refreshToken: pair.refreshToken }).expect(204);
      await refresh(t, pair.refreshToken).expect(401);
      await request(t.http).get('/examples/jwt-strict').set(bearer(pair.accessToken)).expect(401);
      await request(t.http).get('/examples/jwt').set(bearer(pair.accessToken)).expect(200);
    });

    it('answers 204 for unknown tokens and 400 for a malformed body', async () => {
      await request(t.http).post('/auth/token/revoke').send({ refreshToken: 'B'.repeat(43) }).expect(204);
      await request(t.http).post('/auth/token/revoke').send({ refreshToken: ['x'] }).expect(400);
      await request(t.http).post('/auth/token/revoke').send({}).expect(204); // the cookie transport's revoke, with no cookie: nothing to do
      await request(t.http).post('/auth/token/revoke').set('Content-Type', 'application/json').send('{oops').expect(400);
    });
  });

  it('GET /.well-known/jwks.json is empty under HS256', async () => {
    await request(t.http).get('/.well-known/jwks.json').expect(200, { keys: [] });
  });
});

describe('refresh concurrency and lifetimes', () => {
  it('20 concurrent refreshes of one token produce one successor, returned to all (grace)', async () => {
    await withTestApp({}, async (t) => {
      const user = await createUser(t);
      const pair = await issueTokens(t, user);
      const results = await Promise.all(Array.from({ length: 20 }, () => refresh(t, pair.refreshToken)));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(results.map((r) => r.body.refreshToken)).size).toBe(1);
      const children = await t.sql('SELECT hash FROM auth_refresh_tokens WHERE parent_hash = $1', [sha256(pair.refreshToken)]);
      expect(children).toHaveLength(1);
    });
  });

  it('with JWT_REFRESH_GRACE=0, exactly one of 20 concurrent refreshes succeeds', async () => {
    await withTestApp({ JWT_REFRESH_GRACE: '0' }, async (t) => {
      const user = await createUser(t);
      const pair = await issueTokens(t, user);
      const results = await Promise.all(Array.from({ length: 20 }, () => refresh(t, pair.refreshToken)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(19);
      const children = await t.sql('SELECT hash FROM auth_refresh_tokens WHERE parent_hash = $1', [sha256(pair.refreshToken)]);
      expect(children).toHaveLength(1);
    });
  });

  it('a spent token presented after the grace window revokes the family', async () => {
    await withTestApp({ JWT_REFRESH_GRACE: '500ms' }, async (t) => {
      const user = await createUser(t);
      const pair = await issueTokens(t, user);
      const next = (await refresh(t, pair.refreshToken).expect(200)).body;
      await sleep(700);
      await refresh(t, pair.refreshToken).expect(401);
      await refresh(t, next.refreshToken).expect(401);
    });
  });

  it('never extends a family past its absolute expiry, and expired access tokens say token_expired', async () => {
    await withTestApp({ JWT_REFRESH_TTL: '2s', JWT_ACCESS_TTL: '1s' }, async (t) => {
      const user = await createUser(t);
      const pair = await issueTokens(t, user);
      expect(pair.refreshExpiresIn).toBeLessThanOrEqual(2);
      await sleep(1100);
      const res = await request(t.http).get('/examples/jwt').set(bearer(pair.accessToken)).expect(401);
      expect(res.body.code).toBe('token_expired');
      const next = (await refresh(t, pair.refreshToken).expect(200)).body;
      expect(next.refreshExpiresIn).toBeLessThanOrEqual(1);
      await sleep(1000);
      await refresh(t, next.refreshToken).expect(401);
    });
  });
});

describe('asymmetric signing keys', () => {
  const pem = (k: { export(o: object): string | Buffer }, type: 'pkcs8' | 'spki') => k.export({ type, format: 'pem' }).toString();

  it('Ed25519: tokens carry kid, verify against the JWKS, and a removed key is refused', async () => {
    const oldPair = generateKeyPairSync('ed25519');
    const newPair = generateKeyPairSync('ed25519');
    const a = await startTestApp({ JWT_PRIVATE_KEY: pem(oldPair.privateKey, 'pkcs8') });
    let oldToken: string;
    try {
      const user = await createUser(a);
      oldToken = (await issueTokens(a, user)).accessToken;
      const header = decodePart(oldToken, 0);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
      const jwks = (await request(a.http).get('/.well-known/jwks.json').expect(200)).body;
      expect(jwks.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: header.kid, alg: 'EdDSA', use: 'sig' }]);
      // Anyone can verify with the published key.
      const [h, p, s] = oldToken.split('.');
      const pub = createPublicKey({ key: jwks.keys[0], format: 'jwk' });
      expect(cryptoVerify(null, Buffer.from(`${h}.${p}`), pub, Buffer.from(s, 'base64url'))).toBe(true);
      await request(a.http).get('/examples/jwt').set(bearer(oldToken)).expect(200);
      // An HS256 token signed with the public key as the secret (the classic switch) is refused.
      const unsigned = rawToken({ alg: 'HS256', typ: 'at+jwt' }, decodePart(oldToken, 1)).slice(0, -1);
      const switched = `${unsigned}.${createHmac('sha256', pem(oldPair.publicKey, 'spki')).update(unsigned).digest('base64url')}`;
      await request(a.http).get('/examples/jwt').set(bearer(switched)).expect(401);
    } finally {
      await a.close();
    }

    const rotated = await startTestApp({ JWT_PRIVATE_KEY: pem(newPair.privateKey, 'pkcs8'), JWT_PREVIOUS_PUBLIC_KEYS: pem(oldPair.publicKey, 'spki') });
    try {
      await request(rotated.http).get('/examples/jwt').set(bearer(oldToken)).expect(200);
      expect((await request(rotated.http).get('/.well-known/jwks.json')).body.keys).toHaveLength(2);
    } finally {
      await rotated.close();
    }

    const removed = await startTestApp({ JWT_PRIVATE_KEY: pem(newPair.privateKey, 'pkcs8') });
    try {
      const res = await request(removed.http).get('/examples/jwt').set(bearer(oldToken)).expect(401);
      expect(res.body.code).toBe('token_invalid');
      expect((await request(removed.http).get('/.well-known/jwks.json')).body.keys).toHaveLength(1);
    } finally {
      await removed.close();
    }
  });

  it('key rotation without rejection: publish the next key, switch, retire — no token refused on the way', async () => {
    const k1 = generateKeyPairSync('ed25519');
    const k2 = generateKeyPairSync('ed25519');
    // 1. Publish: still signing with k1, k2 announced in the JWKS (and accepted) ahead of the switch.
    const publishing = await startTestApp({ JWT_PRIVATE_KEY: pem(k1.privateKey, 'pkcs8'), JWT_NEXT_PUBLIC_KEYS: pem(k2.publicKey, 'spki') });
    // 2. Switch (a rolling deploy: both configurations serve at once): signing with k2, k1 previous.
    const switched = await startTestApp({ JWT_PRIVATE_KEY: pem(k2.privateKey, 'pkcs8'), JWT_PREVIOUS_PUBLIC_KEYS: pem(k1.publicKey, 'spki') });
    try {
      const jwks = (await request(publishing.http).get('/.well-known/jwks.json').expect(200)).body;
      expect(jwks.keys).toHaveLength(2);
      const user = await createUser(publishing);
      const fromOld = (await issueTokens(publishing, user)).accessToken;
      const fromNew = (await issueTokens(switched, user)).accessToken;
      expect(decodePart(fromNew, 0).kid).toBe(jwks.keys[1].kid); // the key published ahead
      for (const app of [publishing, switched]) {
        for (const token of [fromOld, fromNew]) await request(app.http).get('/examples/jwt').set(bearer(token)).expect(200);
      }
      // A JWKS consumer that cached the published set verifies the new key's tokens at once.
      const [h, p, s] = fromNew.split('.');
      const cached = createPublicKey({ key: jwks.keys[1], format: 'jwk' });
      expect(cryptoVerify(null, Buffer.from(`${h}.${p}`), cached, Buffer.from(s, 'base64url'))).toBe(true);
    } finally {
      await publishing.close();
      await switched.close();
    }
  });

  it('refuses published keys without an asymmetric private key, or of another type', () => {
    const ed = generateKeyPairSync('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => loadConfig({ ...TEST_SECRETS, DATA_DIR: tmpdir(), JWT_NEXT_PUBLIC_KEYS: pem(ed.publicKey, 'spki') })).toThrow(/JWT_NEXT_PUBLIC_KEYS needs JWT_PRIVATE_KEY/);
    expect(() => loadConfig({ ...TEST_SECRETS, DATA_DIR: tmpdir(), JWT_PRIVATE_KEY: pem(ed.privateKey, 'pkcs8'), JWT_NEXT_PUBLIC_KEYS: pem(rsa.publicKey, 'spki') })).toThrow(
      /JWT_NEXT_PUBLIC_KEYS must be keys of the same type as JWT_PRIVATE_KEY/,
    );
  });

  it('RSA: RS256 with kid', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await withTestApp({ JWT_PRIVATE_KEY: pem(privateKey, 'pkcs8') }, async (t) => {
      const user = await createUser(t);
      const { accessToken } = await issueTokens(t, user);
      expect(decodePart(accessToken, 0)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
      await request(t.http).get('/examples/jwt').set(bearer(accessToken)).expect(200);
      const jwks = (await request(t.http).get('/.well-known/jwks.json')).body;
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', n: expect.any(String), e: 'AQAB' });
      expect(jwks.keys[0].d).toBeUndefined(); // never the private part
    });
  });
});
