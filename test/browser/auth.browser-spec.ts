import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Cookie, Page } from 'puppeteer-core';
import { createUser, storedSession, sidOf, TestUser } from '../utils/auth-helpers';
import { startTestApp, TestApp } from '../utils/test-app';
import { Certificate, Served, browserTracker, cookieLog, selfSignedCertificate, servePages, tlsProxy } from './harness';

/*
 * docs/API.md § "Browser transport for JWT", "Remember me", "Cross-site deployments and origin
 * checks", in headless Chromium: what a browser stores, sends and refuses to send — which
 * supertest cannot show. (The rules as HTTP sees them: test/cookie-transport.e2e-spec.ts.)
 *
 * Sites: 127.0.0.1 on any port and scheme is one site; localhost is another. So
 * - the API listens on http://127.0.0.1:B (and, for the cross-site deployment, behind
 *   https://127.0.0.1:P, a TLS proxy that says X-Forwarded-Proto: https);
 * - the same-site SPA is http://127.0.0.1:A, the cross-site SPA and the attacker http://localhost:C.
 */

// ---------------------------------------------------------------------------------------------
// The single-page app: what a real one does, in a few lines. It is told the API's origin in
// `?api=`, and keeps the CSRF token the way docs/API.md recommends for its deployment.
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: any;
  retryAfter: string | null;
  requestId: string | null;
}

const SPA = `<!doctype html><title>spa</title><script>
const api = new URL(location.href).searchParams.get('api');
/** The CSRF token: in memory, and in sessionStorage so that a reload keeps it (cross-site SPA). */
let csrf = sessionStorage.getItem('csrf');
window.spa = {
  api,
  csrf: () => csrf,
  forget: () => { csrf = null; sessionStorage.removeItem('csrf'); },
  keep: (token) => { csrf = token; sessionStorage.setItem('csrf', token); },
  /** Same-site only: the readable csrf_token cookie, which the API (another port, same host) set. */
  csrfFromCookie: () => (document.cookie.match(/(?:^|; )csrf_token=([^;]*)/) || [])[1] || null,
  async call(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const res = await fetch(api + path, { method, credentials: 'include', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch {}
    if (json && typeof json.csrfToken === 'string') window.spa.keep(json.csrfToken);
    return { status: res.status, body: json, retryAfter: res.headers.get('Retry-After'), requestId: res.headers.get('X-Request-Id') };
  },
};
</script>`;

/** `spa.call(...)` inside the page. */
function call(page: Page, method: string, path: string, body?: unknown): Promise<Answer> {
  return page.evaluate((m: string, p: string, b: unknown) => (globalThis as any).spa.call(m, p, b), method, path, body as any);
}

/** Opens the SPA (on `spa`) pointed at the API on `api`. */
async function openSpa(page: Page, spa: Served, api: string): Promise<void> {
  await page.goto(`${spa.url('/')}?api=${encodeURIComponent(api)}`);
}

/** An attacker's page: a form that posts itself to `action` once loaded. */
function autoSubmittingForm(action: string, enctype: 'application/x-www-form-urlencoded' | 'text/plain', fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input name='${name}' value='${value}'>`)
    .join('');
  return `<body onload="document.forms[0].submit()"><form method="POST" action="${action}" enctype="${enctype}">${inputs}</form></body>`;
}

/**
 * The classic JSON CSRF: a text/plain form (no preflight) whose one field, `name=value`, reads as
 * the JSON body the route expects — here `{...json, "x": "="}`.
 */
function jsonAsTextPlain(json: Record<string, unknown>): Record<string, string> {
  const text = JSON.stringify({ ...json, x: '' });
  return { [text.slice(0, -2)]: '"}' };
}

// ---------------------------------------------------------------------------------------------
// Shared plumbing: one API per deployment, browsers and contexts closed whatever happens.
// ---------------------------------------------------------------------------------------------

interface Api {
  t: TestApp;
  /** The API as the browser addresses it. */
  origin: string;
  /** Which cookies each request to the API carried. */
  log: ReturnType<typeof cookieLog>;
  close(): Promise<void>;
}

/** Boots the app on a real port of 127.0.0.1, with a cookie log in front of everything. */
async function startApi(env: Record<string, string>): Promise<Api> {
  const log = cookieLog();
  const t = await startTestApp(env, [], { observe: log.middleware });
  await t.app.listen(0, '127.0.0.1');
  const port = (t.http.address() as AddressInfo).port;
  return { t, origin: `http://127.0.0.1:${port}`, log, close: () => t.close() };
}

const tracker = browserTracker();
const { launch, freshPage } = tracker;
const closers: Array<() => Promise<void>> = [];

afterEach(() => tracker.closeContexts());

afterAll(async () => {
  await tracker.closeBrowsers();
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

const names = (cookies: Cookie[]) => cookies.map((c) => c.name).sort();

/** What a refused request must not have changed: the user's password, sign-ins and refresh tokens. */
async function accountState(t: TestApp, user: TestUser, sid?: string) {
  const [account] = await t.sql('SELECT password_hash, disabled_at FROM auth_users WHERE id = $1', [user.id]);
  const families = await t.sql('SELECT id, revoked_at FROM auth_refresh_families WHERE user_id = $1 ORDER BY id', [user.id]);
  const tokens = await t.sql(
    'SELECT t.hash, t.spent_at FROM auth_refresh_tokens t JOIN auth_refresh_families f ON f.id = t.family_id WHERE f.user_id = $1 ORDER BY t.hash',
    [user.id],
  );
  const session = sid ? await storedSession(t, sid) : undefined;
  return { account, families, tokens, session: session ? 'live' : session === null ? 'gone' : 'n/a' };
}

// ---------------------------------------------------------------------------------------------

describe('a same-site SPA (http://127.0.0.1:A) on the cookie transport (API on http://127.0.0.1:B, SameSite=Lax)', () => {
  let api: Api;
  let spa: Served;
  let browser: Browser;
  let user: TestUser;

  beforeAll(async () => {
    spa = await servePages('127.0.0.1', { '/': SPA });
    closers.push(() => spa.close());
    api = await startApi({ CORS_ORIGINS: spa.origin });
    closers.push(() => api.close());
    user = await createUser(api.t);
    browser = await launch();
  });

  const login = (page: Page, extra: object = {}) => call(page, 'POST', '/auth/token', { email: user.email, password: user.password, transport: 'cookie', ...extra });

  test('1. login, /auth/me, a POST with the CSRF token, a reload, a refresh, logout — and scripts never see a token', async () => {
    const { page, context } = await freshPage(browser);
    await openSpa(page, spa, api.origin);

    const signedIn = await login(page);
    expect(signedIn).toMatchObject({ status: 200, body: { tokenType: 'Cookie', csrfToken: expect.any(String) } });
    expect(JSON.stringify(signedIn.body)).not.toMatch(/accessToken|refreshToken|eyJ/);
    const jar = await context.cookies();
    expect(names(jar)).toEqual(['access_token', 'csrf_token', 'refresh_token']);
    const secret = jar.filter((c) => c.name !== 'csrf_token');
    expect(secret.every((c) => c.httpOnly)).toBe(true);

    /** What page scripts can read: the CSRF token's cookie, never a token. */
    const readable = async () => {
      const visible = (await page.evaluate('document.cookie')) as string;
      for (const c of (await context.cookies()).filter((c) => c.name !== 'csrf_token')) expect(visible).not.toContain(c.value);
      expect(visible).not.toMatch(/access_token|refresh_token|eyJ/);
      return visible;
    };
    expect(await readable()).toMatch(/^csrf_token=/);

    const me = await call(page, 'GET', '/auth/me');
    expect(me).toMatchObject({ status: 200, body: { user: { email: user.email }, auth: { strategy: 'jwt' } } });

    expect(await call(page, 'POST', '/examples/echo', { hello: 'world' })).toMatchObject({ status: 201, body: { strategy: 'jwt', body: { hello: 'world' } } });
    const keep = (await page.evaluate('spa.csrf()')) as string;
    await page.evaluate('spa.forget()');
    expect(await call(page, 'POST', '/examples/echo', { hello: 'world' })).toMatchObject({ status: 403, body: { code: 'csrf_failed' } });
    expect(keep).toBeTruthy();

    // A reload loses what the page held in memory. The token comes back from GET /auth/csrf
    // (the access cookie authenticates it); no credential was readable along the way.
    await page.evaluate('spa.forget()');
    await page.reload();
    expect(await page.evaluate('spa.csrf()')).toBeNull();
    const recovered = await call(page, 'GET', '/auth/csrf');
    expect(recovered).toMatchObject({ status: 200, body: { csrfToken: expect.any(String) } });

    const accessBefore = (await context.cookies()).find((c) => c.name === 'access_token')!.value;
    const refreshed = await call(page, 'POST', '/auth/token/refresh', {});
    expect(refreshed).toMatchObject({ status: 200, body: { tokenType: 'Cookie' } });
    expect((await context.cookies()).find((c) => c.name === 'access_token')!.value).not.toBe(accessBefore);
    expect(api.log.entries.findLast((e) => e.path === '/auth/token/refresh')?.cookieNames).toContain('refresh_token');
    expect(await call(page, 'POST', '/examples/echo', { after: 'refresh' })).toMatchObject({ status: 201 });
    await readable();

    // Logout of the cookie transport: revoke. Every cookie goes; the sign-in is over.
    expect(await call(page, 'POST', '/auth/token/revoke', {})).toMatchObject({ status: 204 });
    expect(await context.cookies()).toEqual([]);
    expect(await call(page, 'GET', '/auth/me')).toMatchObject({ status: 401 });
  });

  test('1. after the access token expired, a reloaded page refreshes with the csrf_token cookie it can read', async () => {
    const shortLived = await startApi({ CORS_ORIGINS: spa.origin, JWT_ACCESS_TTL: '2s' });
    closers.push(() => shortLived.close());
    const someone = await createUser(shortLived.t);
    const { page } = await freshPage(browser);
    await openSpa(page, spa, shortLived.origin);
    expect((await call(page, 'POST', '/auth/token', { email: someone.email, password: someone.password, transport: 'cookie' })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 2_500));
    await page.evaluate('spa.forget()');
    await page.reload();
    // The access cookie is gone (it lived as long as its token), so nothing answers to it…
    expect(await call(page, 'GET', '/auth/me')).toMatchObject({ status: 401 });
    expect(await call(page, 'GET', '/auth/csrf')).toMatchObject({ status: 401 });
    // …but the page reads the CSRF token's cookie (it shares the API's host), and refreshes.
    const token = (await page.evaluate('spa.csrfFromCookie()')) as string;
    expect(token).toBeTruthy();
    await page.evaluate((v: string) => (globalThis as any).spa.keep(decodeURIComponent(v)), token);
    expect(await call(page, 'POST', '/auth/token/refresh', {})).toMatchObject({ status: 200 });
    expect(await call(page, 'GET', '/auth/me')).toMatchObject({ status: 200, body: { user: { email: someone.email } } });
  });

  test('5. the refresh cookie goes to /auth/token/refresh and never to /examples/* (fetches and navigations alike)', async () => {
    const { page } = await freshPage(browser);
    await openSpa(page, spa, api.origin);
    expect((await login(page)).status).toBe(200);
    const from = api.log.entries.length;
    await call(page, 'GET', '/examples/jwt');
    await call(page, 'GET', '/examples/any');
    await call(page, 'POST', '/examples/echo', { n: 1 });
    await call(page, 'POST', '/auth/token/refresh', {});
    await call(page, 'GET', '/auth/me');
    await page.goto(`${api.origin}/examples/public`);
    await page.goto(`${api.origin}/examples/jwt`);

    const seen = api.log.entries.slice(from).filter((e) => e.method !== 'OPTIONS');
    const examples = seen.filter((e) => e.path.startsWith('/examples/'));
    expect(examples.map((e) => e.path)).toEqual(['/examples/jwt', '/examples/any', '/examples/echo', '/examples/public', '/examples/jwt']);
    for (const e of examples) {
      expect(e.cookieNames).toContain('access_token');
      expect(e.cookieNames).not.toContain('refresh_token');
    }
    expect(seen.find((e) => e.path === '/auth/me')?.cookieNames).not.toContain('refresh_token');
    expect(seen.find((e) => e.path === '/auth/token/refresh')?.cookieNames).toEqual(expect.arrayContaining(['access_token', 'refresh_token']));
  });

  describe('2. attacker pages on another site (http://localhost:C) auto-submit forms to the API', () => {
    let attacker: Served;
    beforeAll(async () => {
      const to = (path: string) => `${api.origin}${path}`;
      const password = { currentPassword: user.password, newPassword: 'attacker chose this passphrase' };
      attacker = await servePages('localhost', {
        '/logout': autoSubmittingForm(to('/auth/session/logout'), 'application/x-www-form-urlencoded', { a: '1' }),
        '/logout-text': autoSubmittingForm(to('/auth/session/logout'), 'text/plain', jsonAsTextPlain({})),
        '/echo': autoSubmittingForm(to('/examples/echo'), 'application/x-www-form-urlencoded', { amount: '1000' }),
        '/echo-text': autoSubmittingForm(to('/examples/echo'), 'text/plain', jsonAsTextPlain({ amount: 1000 })),
        '/password': autoSubmittingForm(to('/auth/password'), 'application/x-www-form-urlencoded', password),
        '/password-text': autoSubmittingForm(to('/auth/password'), 'text/plain', jsonAsTextPlain(password)),
        '/refresh': autoSubmittingForm(to('/auth/token/refresh'), 'application/x-www-form-urlencoded', { a: '1' }),
        '/refresh-text': autoSubmittingForm(to('/auth/token/refresh'), 'text/plain', jsonAsTextPlain({})),
        '/revoke': autoSubmittingForm(to('/auth/token/revoke'), 'application/x-www-form-urlencoded', { a: '1' }),
        '/revoke-text': autoSubmittingForm(to('/auth/token/revoke'), 'text/plain', jsonAsTextPlain({})),
      });
      closers.push(() => attacker.close());
    });

    test('nothing changes: the victim’s session and token sign-ins, password and refresh tokens are as they were', async () => {
      const { page, context } = await freshPage(browser);
      await openSpa(page, spa, api.origin);
      // The victim is signed in both ways in this browser: a session and the cookie transport.
      expect((await call(page, 'POST', '/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
      expect((await login(page)).status).toBe(200);
      const sid = sidOf(`sid=${(await context.cookies()).find((c) => c.name === 'sid')!.value}`);
      const before = await accountState(api.t, user, sid);
      expect(before.session).toBe('live');

      const statuses: Record<string, number> = {};
      for (const path of ['/logout', '/logout-text', '/echo', '/echo-text', '/password', '/password-text', '/refresh', '/refresh-text', '/revoke', '/revoke-text']) {
        const answered = page.waitForResponse((r) => r.url().startsWith(api.origin) && r.request().method() === 'POST');
        await page.goto(attacker.url(path));
        const response = await answered;
        statuses[path] = response.status();
        const sent = api.log.entries.findLast((e) => e.method === 'POST')!;
        // Lax (and the refresh cookie's Strict) keep every credential off a cross-site POST.
        expect(sent.cookieNames).toEqual([]);
      }
      for (const [path, status] of Object.entries(statuses)) expect([path, status >= 400 && status < 500]).toEqual([path, true]);

      expect(await accountState(api.t, user, sid)).toEqual(before);
      await openSpa(page, spa, api.origin);
      expect(await call(page, 'GET', '/examples/session')).toMatchObject({ status: 200 });
      expect(await call(page, 'GET', '/examples/jwt-strict')).toMatchObject({ status: 200 });
      await page.evaluate((v: string) => (globalThis as any).spa.keep(decodeURIComponent(v)), (await page.evaluate('spa.csrfFromCookie()')) as string);
      expect(await call(page, 'POST', '/auth/token/refresh', {})).toMatchObject({ status: 200 }); // not spent, not revoked
    });
  });

  describe('3. remember me across a browser restart (a new Chromium process on the same profile)', () => {
    /** Signs in both ways with `rememberMe`, closes the browser, relaunches it, and says what still works. */
    async function afterRestart(rememberMe: boolean) {
      const profile = mkdtempSync(join(tmpdir(), 'remember-me-'));
      try {
        const first = await launch({ userDataDir: profile });
        const page = await first.newPage();
        await openSpa(page, spa, api.origin);
        expect((await call(page, 'POST', '/auth/session/login', { email: user.email, password: user.password, rememberMe })).status).toBe(200);
        expect((await login(page, { rememberMe })).status).toBe(200);
        const before = names(await first.defaultBrowserContext().cookies());
        await first.close(); // gracefully: Chromium writes its cookie store on the way out

        const second = await launch({ userDataDir: profile });
        try {
          const again = await second.newPage();
          await openSpa(again, spa, api.origin);
          const after = names(await second.defaultBrowserContext().cookies());
          const session = (await call(again, 'GET', '/examples/session')).status;
          const jwt = (await call(again, 'GET', '/examples/jwt')).status;
          const csrf = (await again.evaluate('spa.csrfFromCookie()')) as string | null;
          if (csrf) await again.evaluate((v: string) => (globalThis as any).spa.keep(decodeURIComponent(v)), csrf);
          const refresh = (await call(again, 'POST', '/auth/token/refresh', {})).status;
          return { before, after, session, jwt, refresh };
        } finally {
          await second.close();
        }
      } finally {
        rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
      }
    }

    test('rememberMe: false — no cookie survives; the next visit is signed out', async () => {
      const r = await afterRestart(false);
      expect(r.before).toEqual(['access_token', 'csrf_token', 'refresh_token', 'sid']);
      expect(r).toMatchObject({ after: [], session: 401, jwt: 401, refresh: 401 });
    });

    test('rememberMe: true — every cookie survives; the next visit is signed in and can refresh', async () => {
      const r = await afterRestart(true);
      expect(r.after).toEqual(['access_token', 'csrf_token', 'refresh_token', 'sid']);
      expect(r).toMatchObject({ session: 200, jwt: 200, refresh: 200 });
    });
  });
});

describe('4. a cross-site SPA (http://localhost:C) and an API behind TLS (https://127.0.0.1:P): SameSite=None; Secure; Partitioned', () => {
  let certificate: Certificate;
  let api: Api;
  let tls: Served;
  let spa: Served;
  let browser: Browser; // headless Chromium's default: third-party cookies blocked, partitioned ones allowed
  let user: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    certificate = selfSignedCertificate(['localhost']);
    spa = await servePages('localhost', { '/': SPA });
    closers.push(() => spa.close());
    api = await startApi({
      CORS_ORIGINS: spa.origin,
      COOKIE_SECURE: 'true',
      COOKIE_SAMESITE: 'none',
      COOKIE_PARTITIONED: 'true',
      TRUST_PROXY: 'loopback',
      LOGIN_MAX_FAILURES: '3',
    });
    closers.push(() => api.close());
    tls = await tlsProxy({ targetPort: (api.t.http.address() as AddressInfo).port, ...certificate });
    closers.push(() => tls.close());
    user = await createUser(api.t);
    other = await createUser(api.t);
    browser = await launch({ acceptInsecureCerts: true });
  });

  test('the cookie flow works end to end; the page keeps the CSRF token itself, and reads Retry-After on a 429', async () => {
    const { page, context } = await freshPage(browser);
    await openSpa(page, spa, tls.origin);

    const signedIn = await call(page, 'POST', '/auth/token', { email: user.email, password: user.password, transport: 'cookie' });
    expect(signedIn).toMatchObject({ status: 200, body: { tokenType: 'Cookie' } });
    const jar = await context.cookies();
    expect(names(jar)).toEqual(['__Host-access_token', '__Host-csrf_token', '__Secure-refresh_token']);
    for (const c of jar) {
      expect(c).toMatchObject({ secure: true, sameSite: 'None' });
      expect(c.partitionKey).toMatchObject({ sourceOrigin: 'http://localhost' }); // CHIPS: kept under the SPA's site
    }
    // The API's cookies are another site's: page scripts see none of them, not even the CSRF one.
    expect(await page.evaluate('document.cookie')).toBe('');

    expect(await call(page, 'GET', '/auth/me')).toMatchObject({ status: 200, body: { auth: { strategy: 'jwt' } } });
    expect(await call(page, 'POST', '/examples/echo', { cross: 'site' })).toMatchObject({ status: 201 });

    // A reload: the token the page kept in sessionStorage is still there; GET /auth/csrf (a CORS
    // read, allowed for this origin) would give one too.
    await page.reload();
    expect(await page.evaluate('spa.csrf()')).toBe(signedIn.body.csrfToken);
    expect(await call(page, 'GET', '/auth/csrf')).toMatchObject({ status: 200 });
    const refreshed = await call(page, 'POST', '/auth/token/refresh', {});
    expect(refreshed).toMatchObject({ status: 200, body: { tokenType: 'Cookie' } });
    expect(refreshed.requestId).toBeTruthy(); // exposed to the page by CORS
    expect(api.log.entries.findLast((e) => e.path === '/auth/token/refresh')?.cookieNames).toContain('__Secure-refresh_token');

    // Throttling: wrong passwords for another account until the API says 429; the page reads when to retry.
    let throttled: Answer | undefined;
    for (let i = 0; i < 6 && !throttled; i++) {
      const a = await call(page, 'POST', '/auth/token', { email: other.email, password: 'wrong wrong wrong', transport: 'cookie' });
      if (a.status === 429) throttled = a;
      else expect(a.status).toBe(401);
    }
    expect(throttled?.retryAfter).toMatch(/^[1-9]\d*$/);

    expect(await call(page, 'POST', '/auth/token/revoke', {})).toMatchObject({ status: 204 });
    expect(await context.cookies()).toEqual([]);
    expect(await call(page, 'GET', '/auth/me')).toMatchObject({ status: 401 });
  });

  test('a session works cross-site with the same settings: __Host-sid, partitioned, CSRF token kept by the page', async () => {
    const { page, context } = await freshPage(browser);
    await openSpa(page, spa, tls.origin);
    expect(await call(page, 'POST', '/auth/session/login', { email: user.email, password: user.password })).toMatchObject({ status: 200 });
    const [sid, ...rest] = await context.cookies();
    expect(rest).toEqual([]);
    expect(sid).toMatchObject({ name: '__Host-sid', httpOnly: true, secure: true, sameSite: 'None', partitionKey: { sourceOrigin: 'http://localhost' } });
    await page.reload();
    expect(await call(page, 'GET', '/examples/session')).toMatchObject({ status: 200 });
    expect(await call(page, 'POST', '/examples/echo', { via: 'session' })).toMatchObject({ status: 201, body: { strategy: 'session' } });
    expect(await call(page, 'POST', '/auth/session/logout', {})).toMatchObject({ status: 204 });
    expect(await call(page, 'GET', '/examples/session')).toMatchObject({ status: 401 });
  });

  test('2. SameSite=None cookies do reach the API on an attacker’s form POST — and the origin check refuses it', async () => {
    // A victim who signed in on the API's own site (partition = the API's site): a top-level
    // cross-site form POST to the API carries those cookies. Only the server can refuse it.
    const attacker = await servePages('localhost', {
      '/echo': autoSubmittingForm(`${tls.origin}/examples/echo`, 'text/plain', jsonAsTextPlain({ amount: 1000 })),
      '/refresh': autoSubmittingForm(`${tls.origin}/auth/token/refresh`, 'text/plain', jsonAsTextPlain({})),
      '/revoke': autoSubmittingForm(`${tls.origin}/auth/token/revoke`, 'application/x-www-form-urlencoded', { a: '1' }),
      '/echo-fetch': '<!doctype html><title>attacker</title>',
      '/password': autoSubmittingForm(`${tls.origin}/auth/password`, 'text/plain', jsonAsTextPlain({ currentPassword: user.password, newPassword: 'attacker chose this passphrase' })),
    });
    closers.push(() => attacker.close());
    const { page } = await freshPage(browser);
    await page.goto(`${tls.origin}/examples/public`);
    const signedIn = await page.evaluate(async (email: string, password: string) => {
      const res = await fetch('/auth/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password, transport: 'cookie' }) });
      return res.status;
    }, user.email, user.password);
    expect(signedIn).toBe(200);
    const before = await accountState(api.t, user);

    // JSON routes refuse form encodings before anything else (415); the others meet the origin check.
    const expected: Record<string, [number, string | undefined]> = {
      '/echo': [403, 'origin_rejected'],
      '/password': [403, 'origin_rejected'],
      '/refresh': [415, undefined],
      '/revoke': [415, undefined],
    };
    for (const [path, [status, code]] of Object.entries(expected)) {
      const answered = page.waitForResponse((r) => r.url().startsWith(tls.origin) && r.request().method() === 'POST');
      await page.goto(attacker.url(path));
      const response = await answered;
      expect(api.log.entries.findLast((e) => e.method === 'POST')!.cookieNames).toContain('__Host-access_token');
      expect([path, response.status(), (await response.json()).code]).toEqual([path, status, code]);
    }
    // A script on the attacker's page cannot send JSON at all: the preflight is refused, the POST never leaves.
    await page.goto(attacker.url('/echo-fetch'));
    const posts = () => api.log.entries.filter((e) => e.method === 'POST').length;
    const postsBefore = posts();
    const outcome = await page.evaluate(async (url: string) => {
      try {
        await fetch(url, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{"amount":1000}' });
        return 'sent';
      } catch {
        return 'blocked';
      }
    }, `${tls.origin}/examples/echo`);
    expect(outcome).toBe('blocked');
    expect(api.log.entries.at(-1)).toMatchObject({ method: 'OPTIONS', path: '/examples/echo' });
    expect(posts()).toBe(postsBefore);
    expect(await accountState(api.t, user)).toEqual(before);
  });
});
