import request from 'supertest';
import { createUser, loginSession, TestUser } from './utils/auth-helpers';
import { decodePart, issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp, withTestApp } from './utils/test-app';

// docs/API.md § "Browser transport for JWT", "Remember me", "Cross-site deployments and origin
// checks": the rules as HTTP sees them. (What a browser does with them: test/browser/.)

interface SetCookie {
  value: string;
  attributes: Record<string, string | true>;
}

/** Set-Cookie headers by cookie name: value and attributes (lower-cased names). */
function setCookies(res: request.Response): Record<string, SetCookie> {
  const out: Record<string, SetCookie> = {};
  for (const header of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
    const [pair, ...attrs] = header.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = {
      value: decodeURIComponent(pair.slice(eq + 1)),
      attributes: Object.fromEntries(attrs.map((a) => {
        const i = a.indexOf('=');
        return i === -1 ? [a.toLowerCase(), true] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
      })),
    };
  }
  return out;
}

/** A cookie jar of one: `name=value; …` for the cookies a response set (and did not clear). */
const jar = (res: request.Response, keep: Record<string, string> = {}) => {
  const cookies = { ...keep };
  for (const [name, c] of Object.entries(setCookies(res))) {
    if (c.value === '' || c.attributes.expires === 'Thu, 01 Jan 1970 00:00:00 GMT') delete cookies[name];
    else cookies[name] = c.value;
  }
  return cookies;
};
const header = (cookies: Record<string, string>) => Object.entries(cookies).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');

async function cookieLogin(t: TestApp, user: TestUser, extra: object = {}) {
  const res = await request(t.http).post('/auth/token').send({ email: user.email, password: user.password, transport: 'cookie', ...extra }).expect(200);
  return { res, cookies: jar(res), csrfToken: res.body.csrfToken as string };
}

describe('JWT in HttpOnly cookies (transport: "cookie")', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  it('login answers no token in the body, and sets the access, refresh and CSRF cookies as the contract says', async () => {
    const { res, csrfToken } = await cookieLogin(t, user);
    expect(res.body).toEqual({ tokenType: 'Cookie', expiresIn: 900, refreshExpiresIn: expect.any(Number), csrfToken: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/accessToken|refreshToken|eyJ/);
    const c = setCookies(res);
    expect(c.access_token.attributes).toMatchObject({ httponly: true, path: '/', samesite: 'Lax', 'max-age': '900' });
    expect(c.refresh_token.attributes).toMatchObject({ httponly: true, path: '/auth/token', samesite: 'Strict' });
    expect(Number(c.refresh_token.attributes['max-age'])).toBeGreaterThan(6 * 86_400);
    expect(c.csrf_token.attributes.httponly).toBeUndefined(); // readable by page scripts: it is not a credential
    expect(c.csrf_token.value).toBe(csrfToken);
    expect(c.access_token.attributes.secure).toBeUndefined();
    expect(decodePart(c.access_token.value, 1).sub).toBe(user.id);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('the access cookie authenticates @Auth("jwt") routes; unsafe ones need the sign-in’s X-CSRF-Token', async () => {
    const { cookies, csrfToken } = await cookieLogin(t, user);
    const other = await cookieLogin(t, user); // another sign-in of the same user
    await request(t.http).get('/examples/jwt').set('Cookie', header(cookies)).expect(200, { strategy: 'jwt' });
    const me = await request(t.http).get('/auth/me').set('Cookie', header(cookies)).expect(200);
    expect(me.body.auth.strategy).toBe('jwt');
    const echo = () => request(t.http).post('/examples/echo').set('Cookie', header(cookies)).send({ a: 1 });
    expect((await echo().expect(403)).body.code).toBe('csrf_failed');
    expect((await echo().set('X-CSRF-Token', other.csrfToken).expect(403)).body.code).toBe('csrf_failed'); // bound to the sign-in
    expect((await echo().set('X-CSRF-Token', `${csrfToken}x`).expect(403)).body.code).toBe('csrf_failed');
    await echo().set('X-CSRF-Token', csrfToken).expect(201);
    // A page that reloaded gets a token back (nothing readable by scripts needed: the cookie is HttpOnly).
    const again = (await request(t.http).get('/auth/csrf').set('Cookie', header(cookies)).expect(200)).body.csrfToken;
    expect(again).not.toBe(csrfToken);
    await echo().set('X-CSRF-Token', again).expect(201);
  });

  it('an Authorization header alone decides: an invalid Bearer token is 401 beside a valid access cookie', async () => {
    const { cookies } = await cookieLogin(t, user);
    const res = await request(t.http).get('/examples/jwt').set('Cookie', header(cookies)).set('Authorization', 'Bearer nope').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    // A Bearer request needs no CSRF token, cookie or not.
    const { accessToken } = await issueTokens(t, user);
    await request(t.http).post('/examples/echo').set('Cookie', header(cookies)).set('Authorization', `Bearer ${accessToken}`).send({}).expect(201);
  });

  it('refresh reads the refresh cookie ({} + X-CSRF-Token), re-sets both cookies, and keeps rotation, grace and reuse detection', async () => {
    const first = await cookieLogin(t, user);
    const refresh = (cookies: Record<string, string>, csrf?: string) => {
      const r = request(t.http).post('/auth/token/refresh').set('Cookie', header(cookies)).send({});
      return csrf === undefined ? r : r.set('X-CSRF-Token', csrf);
    };
    expect((await refresh(first.cookies).expect(403)).body.code).toBe('csrf_failed');
    const rotated = await refresh(first.cookies, first.csrfToken).expect(200);
    expect(rotated.body).toEqual({ tokenType: 'Cookie', expiresIn: 900, refreshExpiresIn: expect.any(Number), csrfToken: expect.any(String) });
    const next = jar(rotated, first.cookies);
    expect(next.refresh_token).not.toBe(first.cookies.refresh_token);
    expect(next.access_token).not.toBe(first.cookies.access_token);
    expect(setCookies(rotated).refresh_token.attributes.path).toBe('/auth/token');
    // The old cookie comes back within the grace window (racing tabs): the same successor.
    const replay = await refresh(first.cookies, first.csrfToken).expect(200);
    expect(jar(replay).refresh_token).toBe(next.refresh_token);
    // The successor is used; the old one is reuse: the sign-in is revoked and its cookies cleared.
    const third = await refresh(next, rotated.body.csrfToken).expect(200);
    await new Promise((r) => setTimeout(r, 50));
    const reused = await request(t.http)
      .post('/auth/token/refresh')
      .set('Cookie', header(first.cookies))
      .set('X-CSRF-Token', first.csrfToken)
      .send({})
      .expect(401);
    expect(reused.body.code).toBe('signin_revoked');
    expect(setCookies(reused).access_token.value).toBe('');
    await request(t.http).post('/auth/token/refresh').set('Cookie', header(jar(third, next))).set('X-CSRF-Token', third.body.csrfToken).send({}).expect(401);
  });

  it('revoke ({} + X-CSRF-Token) revokes the family and clears every cookie on the path it was set with; without the token nothing happens', async () => {
    const { cookies, csrfToken } = await cookieLogin(t, user);
    const revoke = () => request(t.http).post('/auth/token/revoke').set('Cookie', header(cookies)).send({});
    expect((await revoke().expect(403)).body.code).toBe('csrf_failed');
    await request(t.http).get('/examples/jwt-strict').set('Cookie', header(cookies)).expect(200); // still signed in
    const res = await revoke().set('X-CSRF-Token', csrfToken).expect(204);
    const cleared = setCookies(res);
    expect(Object.keys(cleared).sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
    expect(cleared.refresh_token.attributes.path).toBe('/auth/token');
    expect(cleared.access_token.attributes.path).toBe('/');
    for (const c of Object.values(cleared)) expect(c.attributes.expires).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect((await request(t.http).get('/examples/jwt-strict').set('Cookie', header(cookies)).expect(401)).body.code).toBe('signin_revoked');
  });

  it('a cookie sign-in is in the ledger; ending it from itself clears its cookies', async () => {
    const { cookies, csrfToken } = await cookieLogin(t, user);
    const list = await request(t.http).get('/auth/sessions').set('Cookie', header(cookies)).expect(200);
    const mine = list.body.find((s: { current: boolean }) => s.current);
    expect(mine).toMatchObject({ kind: 'token', current: true });
    const res = await request(t.http).delete(`/auth/sessions/${mine.id}`).set('Cookie', header(cookies)).set('X-CSRF-Token', csrfToken).expect(204);
    expect(Object.keys(setCookies(res)).sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
  });
});

describe('remember me', () => {
  it('rememberMe: false → browser-session cookies and a sign-in capped at SIGNIN_SHORT_TTL; true → persistent cookies', async () => {
    await withTestApp({ SIGNIN_SHORT_TTL: '2h' }, async (t) => {
      const user = await createUser(t);
      const inTwoHours = Date.now() + 2 * 3_600_000;

      const session = await request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password, rememberMe: false }).expect(200);
      expect(setCookies(session).sid.attributes.expires).toBeUndefined();
      expect(setCookies(session).sid.attributes['max-age']).toBeUndefined();
      const persistent = await request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password }).expect(200);
      expect(setCookies(persistent).sid.attributes.expires).toBeDefined();

      const tokens = await request(t.http).post('/auth/token').send({ email: user.email, password: user.password, transport: 'cookie', rememberMe: false }).expect(200);
      expect(tokens.body.refreshExpiresIn).toBeLessThanOrEqual(2 * 3600);
      for (const c of Object.values(setCookies(tokens))) {
        expect(c.attributes['max-age']).toBeUndefined();
        expect(c.attributes.expires).toBeUndefined();
      }
      // Still browser-session cookies after a refresh.
      const refreshed = await request(t.http).post('/auth/token/refresh').set('Cookie', header(jar(tokens))).set('X-CSRF-Token', tokens.body.csrfToken).send({}).expect(200);
      for (const c of Object.values(setCookies(refreshed))) expect(c.attributes['max-age']).toBeUndefined();
      // The body transport honours it too.
      const body = await request(t.http).post('/auth/token').send({ email: user.email, password: user.password, rememberMe: false }).expect(200);
      expect(body.body.refreshExpiresIn).toBeLessThanOrEqual(2 * 3600);

      const ledger = await request(t.http).get('/auth/sessions').set('Cookie', setCookies(session).sid ? `sid=${encodeURIComponent(setCookies(session).sid.value)}` : '').expect(200);
      const short = ledger.body.filter((s: { expiresAt: string }) => Date.parse(s.expiresAt) <= inTwoHours + 5_000);
      expect(short.length).toBeGreaterThanOrEqual(3); // the session and the two token sign-ins
    });
  });
});

describe('cross-site settings', () => {
  it('COOKIE_SAMESITE and COOKIE_PARTITIONED shape every cookie; Secure cookies get the __Host-/__Secure- names', async () => {
    await withTestApp({ COOKIE_SECURE: 'true', COOKIE_SAMESITE: 'none', COOKIE_PARTITIONED: 'true' }, async (t) => {
      const user = await createUser(t);
      const tokens = await request(t.http).post('/auth/token').send({ email: user.email, password: user.password, transport: 'cookie' }).expect(200);
      const c = setCookies(tokens);
      expect(Object.keys(c).sort()).toEqual(['__Host-access_token', '__Host-csrf_token', '__Secure-refresh_token']);
      for (const cookie of Object.values(c)) expect(cookie.attributes).toMatchObject({ secure: true, partitioned: true, samesite: 'None' });
    });
    await withTestApp({ COOKIE_SAMESITE: 'strict' }, async (t) => {
      const user = await createUser(t);
      const s = await request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password }).expect(200);
      expect(setCookies(s).sid.attributes.samesite).toBe('Strict');
    });
  });

  it('refuses COOKIE_SAMESITE=none without Secure cookies', async () => {
    await expect(startTestApp({ COOKIE_SAMESITE: 'none' })).rejects.toThrow(/COOKIE_SAMESITE none needs COOKIE_SECURE=true/);
  });

  it('CORS lets allowed pages read Retry-After, WWW-Authenticate and X-Request-Id', async () => {
    await withTestApp({ CORS_ORIGINS: 'https://app.example.com' }, async (t) => {
      const res = await request(t.http).get('/examples/jwt').set('Origin', 'https://app.example.com').expect(401);
      expect(res.headers['access-control-expose-headers']).toBe('Retry-After,WWW-Authenticate,X-Request-Id');
    });
  });
});

describe('origin checks on cookie-authenticated unsafe requests', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    user = await createUser(t);
  });
  afterAll(() => t.close());

  const attempts = async () => {
    const session = await loginSession(t, user);
    const tokens = await cookieLogin(t, user);
    return [
      { kind: 'session cookie', cookie: session.cookie, csrf: session.csrfToken },
      { kind: 'access cookie', cookie: header(tokens.cookies), csrf: tokens.csrfToken },
    ];
  };

  it('refuses a foreign Origin with 403 origin_rejected even with a valid CSRF token; allows its own and listed origins', async () => {
    for (const a of await attempts()) {
      const echo = () => request(t.http).post('/examples/echo').set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).send({ kind: a.kind });
      const foreign = await echo().set('Origin', 'https://evil.example.net').expect(403);
      expect(foreign.body.code).toBe('origin_rejected');
      await echo().set('Origin', 'https://app.example.com').expect(201);
      await echo().set('Host', 'api.example.org').set('Origin', 'http://api.example.org').expect(201); // its own origin
      await echo().expect(201); // no Origin (same-origin GET-less clients, curl)
    }
  });

  it('refuses Sec-Fetch-Site: cross-site unless the Origin is listed', async () => {
    for (const a of await attempts()) {
      const echo = () => request(t.http).post('/examples/echo').set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).set('Sec-Fetch-Site', 'cross-site').send({});
      expect((await echo().expect(403)).body.code).toBe('origin_rejected');
      await echo().set('Origin', 'https://app.example.com').expect(201);
    }
  });

  it('leaves Bearer requests alone, whatever their Origin', async () => {
    const { accessToken } = await issueTokens(t, user);
    await request(t.http).post('/examples/echo').set('Authorization', `Bearer ${accessToken}`).set('Origin', 'https://evil.example.net').set('Sec-Fetch-Site', 'cross-site').send({}).expect(201);
  });

  it('applies to the cookie transport’s refresh and revoke too', async () => {
    const tokens = await cookieLogin(t, user);
    const res = await request(t.http)
      .post('/auth/token/refresh')
      .set('Cookie', header(tokens.cookies))
      .set('X-CSRF-Token', tokens.csrfToken)
      .set('Origin', 'https://evil.example.net')
      .send({})
      .expect(403);
    expect(res.body.code).toBe('origin_rejected');
    await request(t.http).post('/auth/token/revoke').set('Cookie', header(tokens.cookies)).set('X-CSRF-Token', tokens.csrfToken).set('Sec-Fetch-Site', 'cross-site').send({}).expect(403);
    await request(t.http).get('/examples/jwt-strict').set('Cookie', header(tokens.cookies)).expect(200); // nothing happened
  });
});
