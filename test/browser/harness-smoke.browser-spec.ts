import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Browser, BrowserContext, Page } from 'puppeteer-core';
import request from 'supertest';
import { Certificate, LaunchOptions, Served, browserTracker, cookieLog, listenOnLoopback, selfSignedCertificate, servePages, tlsProxy } from './harness';

/*
 * What headless Chromium 156 does with cookies, measured against a plain node:http server (not the
 * app), so that browser tests of the app can build on it — and so that a browser upgrade that
 * changes any of it fails here first, under a name that says what changed.
 *
 * Sites: 127.0.0.1 on any port (and over http or https) is one site; localhost is another.
 */

interface Post {
  contentType?: string;
  body: string;
}

interface Demo extends Served {
  /** The cookie names that the latest request for `path` carried; undefined if none came. */
  lastSent(path: string): string[] | undefined;
  /** Every POST body, in order. */
  posts: Post[];
}

/** Credentialed CORS for whichever origin asks, as an app configured for its SPA would answer. */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' } : {};
}

/**
 * The server under observation, on http://127.0.0.1:<port>:
 * - `/set?cookie=<Set-Cookie value>&cookie=…` sets each cookie it is given;
 * - `/retry-after[?expose]` answers 429 with `Retry-After: 7`, exposed to CORS readers only with `?expose`;
 * - `/headers` answers the request's `X-Forwarded-*` headers as JSON (to check the TLS proxy);
 * - anything else answers 200. POST bodies are kept.
 */
async function demoServer(): Promise<Demo> {
  const log = cookieLog();
  const posts: Post[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    if (req.method === 'POST') posts.push({ contentType: req.headers['content-type'], body });
    const headers: Record<string, string | string[]> = { ...corsHeaders(req), 'Content-Type': 'text/html' };
    if (url.pathname === '/set') headers['Set-Cookie'] = url.searchParams.getAll('cookie');
    if (url.pathname === '/headers') {
      const { 'x-forwarded-proto': proto, 'x-forwarded-for': forFor } = req.headers;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ proto, for: forFor }));
      return;
    }
    if (url.pathname === '/retry-after') {
      headers['Retry-After'] = '7';
      if (url.searchParams.has('expose')) headers['Access-Control-Expose-Headers'] = 'Retry-After';
      res.writeHead(429, headers).end('slow down');
      return;
    }
    res.writeHead(200, headers).end('<p>ok</p>');
  };
  const server = createServer((req, res) =>
    log.middleware(req, res, () => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => answer(req, res, body));
    }),
  );
  const served = await listenOnLoopback(server);
  return {
    ...served,
    posts,
    lastSent: (path) => log.entries.findLast((e) => e.path === path)?.cookieNames,
  };
}

/** The URL on which `server` sets these cookies (each a `Set-Cookie` value). */
function setting(server: Served, ...cookies: string[]): string {
  const url = new URL(server.url('/set'));
  for (const cookie of cookies) url.searchParams.append('cookie', cookie);
  return url.toString();
}

/** `fetch(url, { credentials: 'include' })` from inside the page: the status, and `Retry-After` if script may read it. */
function fetchFrom(page: Page, url: string): Promise<{ status: number; retryAfter: string | null }> {
  return page.evaluate(async (u: string) => {
    const res = await fetch(u, { credentials: 'include' });
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  }, url);
}

/** The cookies a browser context holds: `name`, or `name (partitioned: <top-level site>)`. */
async function jar(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => {
    const key = typeof c.partitionKey === 'string' ? c.partitionKey : c.partitionKey?.sourceOrigin;
    return key ? `${c.name} (partitioned: ${key})` : c.name;
  });
}

/** An attacker's page: a form that posts itself to `action` once the page has loaded. */
function autoSubmittingForm(action: string, enctype: 'application/x-www-form-urlencoded' | 'text/plain', field: { name: string; value: string }): string {
  return `<body onload="document.forms[0].submit()"><form method="POST" action="${action}" enctype="${enctype}">
    <input name='${field.name}' value='${field.value}'></form></body>`;
}

/** Opens the attacker's page and waits until its form has been posted to `target` and answered. */
async function submitFrom(page: Page, attackerPage: string, target: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
  await page.goto(attackerPage);
  await answered;
}

/** A plain HTML page to run `fetch` from. */
const BLANK = '<!doctype html><title>page</title>';

let certificate: Certificate;
let server: Demo; // http://127.0.0.1:B
let tls: Served; // https://127.0.0.1:P → server
let spa: Served; // http://127.0.0.1:A — same site as the server
let otherSite: Served; // http://localhost:C — cross-site
let otherSiteTls: Served; // https://localhost:Q → otherSite
let browser: Browser; // third-party cookies blocked, headless Chromium's default
const tracker = browserTracker();
const { freshPage } = tracker;

/** Every browser here accepts the TLS proxy's self-signed certificate. */
const launch = (options: LaunchOptions = {}) => tracker.launch({ acceptInsecureCerts: true, ...options });

beforeAll(async () => {
  certificate = selfSignedCertificate(['localhost']);
  server = await demoServer();
  tls = await tlsProxy({ targetPort: server.port, ...certificate });
  spa = await servePages('127.0.0.1', { '/': BLANK });
  otherSite = await servePages('localhost', {
    '/': BLANK,
    '/post-urlencoded': autoSubmittingForm(server.url('/form'), 'application/x-www-form-urlencoded', { name: 'amount', value: '1000' }),
    // The classic JSON CSRF: text/plain needs no preflight, and `name=value` can be made to read as JSON.
    '/post-text': autoSubmittingForm(server.url('/form'), 'text/plain', { name: '{"amount":1000,"x":"', value: '"}' }),
    '/post-tls': autoSubmittingForm(tls.url('/form'), 'application/x-www-form-urlencoded', { name: 'amount', value: '1000' }),
  });
  otherSiteTls = await tlsProxy({ targetPort: otherSite.port, host: 'localhost', ...certificate });
  browser = await launch();
});

afterEach(() => tracker.closeContexts());

afterAll(async () => {
  await tracker.closeBrowsers();
  await Promise.all([server, tls, spa, otherSite, otherSiteTls].map((s) => s?.close()));
});

describe('the harness itself', () => {
  test('tlsProxy: HTTPS with the certificate, keep-alive, X-Forwarded-Proto/For added', async () => {
    const agent = new Agent({ keepAlive: true, ca: certificate.cert });
    const get = (path: string) =>
      new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
        const req = httpsRequest(tls.url(path), { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ body, reused: req.reusedSocket }));
        });
        req.on('error', reject).end();
      });
    try {
      const first = await get('/headers');
      const second = await get('/headers');
      expect(JSON.parse(first.body)).toEqual({ proto: 'https', for: '127.0.0.1' });
      expect([first.reused, second.reused]).toEqual([false, true]);
    } finally {
      agent.destroy();
    }
  });

  test('tlsProxy passes every Set-Cookie line through', async () => {
    const { page, context } = await freshPage(browser);
    await page.goto(setting(tls, 'one=1; Path=/', 'two=2; Path=/'));
    expect((await jar(context)).sort()).toEqual(['one', 'two']);
  });

  test('cookieLog works as Express middleware, with the path the browser asked for', async () => {
    const log = cookieLog();
    const app = express();
    app.use(log.middleware);
    app.use('/mounted', express.Router().get('/here', (_req, res) => void res.end()));
    await request(app).get('/mounted/here?x=1').set('Cookie', 'a=1; b=2').expect(200);
    expect(log.entries).toEqual([{ method: 'GET', path: '/mounted/here', cookieNames: ['a', 'b'] }]);
  });
});

describe('what headless Chromium 156 does with cookies (third-party cookies blocked, its default)', () => {
  describe('a. same-site, cross-origin fetch (http://127.0.0.1:A → http://127.0.0.1:B)', () => {
    test('SameSite=Lax cookies set by a credentialed fetch are stored and sent back', async () => {
      const { page, context } = await freshPage(browser);
      await page.goto(spa.url('/'));
      await fetchFrom(page, setting(server, 'lax=1; SameSite=Lax; Path=/', 'lax_httponly=1; SameSite=Lax; HttpOnly; Path=/'));
      expect((await jar(context)).sort()).toEqual(['lax', 'lax_httponly']);
      await fetchFrom(page, server.url('/a'));
      expect(server.lastSent('/a')).toEqual(['lax', 'lax_httponly']);
    });

    test('document.cookie shows the other port’s cookies, except the HttpOnly one', async () => {
      const { page } = await freshPage(browser);
      await page.goto(spa.url('/'));
      await fetchFrom(page, setting(server, 'lax=1; SameSite=Lax; Path=/', 'lax_httponly=1; SameSite=Lax; HttpOnly; Path=/'));
      expect(await page.evaluate('document.cookie')).toBe('lax=1');
    });

    test('on loopback, Secure needs no TLS: a Secure cookie from http://127.0.0.1 is stored and sent over http', async () => {
      // 127.0.0.1 and localhost are secure contexts. TLS is for the app (express-session sets no
      // Secure cookie unless the request is secure), not for Chromium.
      const { page, context } = await freshPage(browser);
      await page.goto(setting(server, 'secure=1; Secure; SameSite=Lax; Path=/'));
      expect(await jar(context)).toEqual(['secure']);
      await page.goto(server.url('/a-secure'));
      expect(server.lastSent('/a-secure')).toEqual(['secure']);
    });
  });

  describe('b. cross-site fetch (http://localhost:C → http://127.0.0.1:B)', () => {
    test('a Lax (or unspecified) cookie set by a cross-site fetch is refused', async () => {
      const { page, context } = await freshPage(browser);
      await page.goto(otherSite.url('/'));
      expect((await fetchFrom(page, setting(server, 'lax=1; SameSite=Lax; Path=/', 'unspecified=1; Path=/'))).status).toBe(200);
      expect(await jar(context)).toEqual([]);
    });

    test('a Lax (or unspecified) cookie set first-party is not sent on a cross-site fetch', async () => {
      const { page, context } = await freshPage(browser);
      await page.goto(setting(server, 'lax=1; SameSite=Lax; Path=/', 'unspecified=1; Path=/'));
      expect((await jar(context)).sort()).toEqual(['lax', 'unspecified']);
      await page.goto(otherSite.url('/'));
      await fetchFrom(page, server.url('/b'));
      expect(server.lastSent('/b')).toEqual([]);
    });
  });

  describe('c. cross-site fetch over TLS (http://localhost:C → https://127.0.0.1:P)', () => {
    test('SameSite=None; Secure set by a cross-site fetch is refused (third-party cookies are blocked)', async () => {
      const { page, context } = await freshPage(browser);
      await page.goto(otherSite.url('/'));
      await fetchFrom(page, setting(tls, 'none=1; SameSite=None; Secure; Path=/'));
      expect(await jar(context)).toEqual([]);
    });

    test('SameSite=None; Secure set first-party is not sent on a cross-site fetch', async () => {
      const { page, context } = await freshPage(browser);
      await page.goto(setting(tls, 'none=1; SameSite=None; Secure; Path=/'));
      expect(await jar(context)).toEqual(['none']);
      await page.goto(otherSite.url('/'));
      await fetchFrom(page, tls.url('/c'));
      expect(server.lastSent('/c')).toEqual([]);
    });

    test('SameSite=None; Secure; Partitioned (CHIPS) is stored under the top-level site and sent back', async () => {
      const { page, context } = await freshPage(browser);
      await page.goto(otherSite.url('/'));
      await fetchFrom(page, setting(tls, 'chips=1; SameSite=None; Secure; Partitioned; Path=/'));
      expect(await jar(context)).toEqual(['chips (partitioned: http://localhost)']);
      await fetchFrom(page, tls.url('/c-chips'));
      expect(server.lastSent('/c-chips')).toEqual(['chips']);
    });

    test('the partition is the top-level site with its scheme: https://localhost does not get http://localhost’s cookie', async () => {
      const { page } = await freshPage(browser);
      await page.goto(otherSite.url('/'));
      await fetchFrom(page, setting(tls, 'chips=1; SameSite=None; Secure; Partitioned; Path=/'));
      await page.goto(otherSiteTls.url('/'));
      await fetchFrom(page, tls.url('/c-chips-https'));
      expect(server.lastSent('/c-chips-https')).toEqual([]);
    });

    test('script reads a cross-origin Retry-After only when Access-Control-Expose-Headers names it', async () => {
      const { page } = await freshPage(browser);
      await page.goto(otherSite.url('/'));
      expect(await fetchFrom(page, tls.url('/retry-after'))).toEqual({ status: 429, retryAfter: null });
      expect(await fetchFrom(page, tls.url('/retry-after?expose'))).toEqual({ status: 429, retryAfter: '7' });
    });
  });

  describe('d. cross-site form POST (an attacker page on http://localhost:C)', () => {
    /** First-party cookies on 127.0.0.1 — shared by http://…:B and https://…:P, since ports and schemes do not separate them. */
    async function victimPage(): Promise<Page> {
      const { page } = await freshPage(browser);
      await page.goto(setting(server, 'lax=1; SameSite=Lax; Path=/', 'unspecified=1; Path=/'));
      await page.goto(setting(tls, 'none=1; SameSite=None; Secure; Path=/'));
      return page;
    }

    // `unspecified` (no SameSite attribute) is Lax by default, yet is sent: Chrome's "Lax+POST"
    // exception lets a top-level cross-site POST carry such a cookie while it is under 2 minutes
    // old. An explicit `SameSite=Lax` never is.
    test('application/x-www-form-urlencoded: SameSite=Lax is not sent; None and unspecified (fresh) are', async () => {
      const page = await victimPage();
      await submitFrom(page, otherSite.url('/post-urlencoded'), server.url('/form'));
      expect(server.lastSent('/form')?.sort()).toEqual(['none', 'unspecified']);
      expect(server.posts.at(-1)).toEqual({ contentType: 'application/x-www-form-urlencoded', body: 'amount=1000' });
    });

    test('text/plain: the same cookies, and a body that parses as JSON', async () => {
      const page = await victimPage();
      await submitFrom(page, otherSite.url('/post-text'), server.url('/form'));
      expect(server.lastSent('/form')?.sort()).toEqual(['none', 'unspecified']);
      const post = server.posts.at(-1)!;
      expect(post.contentType).toBe('text/plain');
      expect(JSON.parse(post.body)).toEqual({ amount: 1000, x: '=' });
    });

    test('over TLS: SameSite=None; Secure is sent, even with third-party cookies blocked (a top-level navigation is first-party)', async () => {
      const page = await victimPage();
      await submitFrom(page, otherSite.url('/post-tls'), tls.url('/form'));
      expect(server.lastSent('/form')?.sort()).toEqual(['none', 'unspecified']);
    });
  });
});

describe('c. cross-site fetch over TLS, third-party cookies allowed (profile preference cookie_controls_mode = 0)', () => {
  let permissive: Browser;
  beforeAll(async () => {
    permissive = await launch({ allowThirdPartyCookies: true });
  });

  test('SameSite=None; Secure set by a cross-site fetch is stored and sent back', async () => {
    const { page, context } = await freshPage(permissive);
    await page.goto(otherSite.url('/'));
    await fetchFrom(page, setting(tls, 'none=1; SameSite=None; Secure; Path=/'));
    expect(await jar(context)).toEqual(['none']);
    await fetchFrom(page, tls.url('/c-allowed'));
    expect(server.lastSent('/c-allowed')).toEqual(['none']);
  });

  test('Partitioned stays partitioned', async () => {
    const { page, context } = await freshPage(permissive);
    await page.goto(otherSite.url('/'));
    await fetchFrom(page, setting(tls, 'chips=1; SameSite=None; Secure; Partitioned; Path=/'));
    expect(await jar(context)).toEqual(['chips (partitioned: http://localhost)']);
  });
});

describe('e. restart: a new browser process on the same profile (http://127.0.0.1:B)', () => {
  /**
   * Sets a persistent and a session cookie, leaves the tab on a page that sets none (a restored tab
   * reloads it), closes the browser gracefully, launches a new process on the profile, and returns
   * the cookies of its first request.
   */
  async function cookiesAfterRestart(options: { restoreLastSession: boolean }, path: string): Promise<string[] | undefined> {
    const profile = mkdtempSync(join(tmpdir(), 'browser-restart-'));
    try {
      const first = await launch({ userDataDir: profile, ...options });
      const page = await first.newPage();
      await page.goto(setting(server, 'persistent=1; Max-Age=3600; SameSite=Lax; Path=/', 'session=1; SameSite=Lax; Path=/'));
      await page.goto(server.url('/before-restart'));
      await first.close();
      const second = await launch({ userDataDir: profile, ...options });
      await (await second.newPage()).goto(server.url(path));
      await second.close();
      return server.lastSent(path)?.sort();
    } finally {
      rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  test('by default the persistent cookie survives and the session cookie does not', async () => {
    expect(await cookiesAfterRestart({ restoreLastSession: false }, '/e-default')).toEqual(['persistent']);
  });

  test('with "Continue where you left off" (session.restore_on_startup = 1) the session cookie survives too', async () => {
    expect(await cookiesAfterRestart({ restoreLastSession: true }, '/e-restore')).toEqual(['persistent', 'session']);
  });
});
