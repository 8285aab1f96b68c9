import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http';
import { Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Browser, BrowserContext, Page } from 'puppeteer-core';

/**
 * Flags Chromium needs here: root needs `--no-sandbox`; the machine has no network, so Chromium's
 * own background connections (updates, sync, field trials, QUIC probes) are switched off rather
 * than left to fail and slow the start.
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  /** A profile kept between launches: close the browser and launch again on it to "restart" it. */
  userDataDir?: string;
  /** Accept the self-signed certificate of `tlsProxy` (set through CDP for every page). */
  acceptInsecureCerts?: boolean;
  /**
   * Let unpartitioned cross-site cookies through. Headless Chromium 156 blocks them as a user
   * preference (CDP's blocked reason: `UserPreferences`): the feature flags tried
   * (`--disable-features=TrackingProtection3pcd,ThirdPartyStoragePartitioning,…`) and CDP's
   * `Network.setCookieControls` change nothing; the profile preference does.
   */
  allowThirdPartyCookies?: boolean;
  /**
   * "Continue where you left off": tabs and session cookies come back after a restart. Off by
   * default, so a restart drops session cookies. Either way, close the browser gracefully
   * (`browser.close()`) before relaunching: a killed one loses the cookies it had not written out
   * yet, persistent ones included (Chromium writes its cookie store on a timer).
   */
  restoreLastSession?: boolean;
  /** More Chromium flags; puppeteer merges `--enable-features`/`--disable-features` with its own. */
  args?: string[];
}

type Preferences = Record<string, Record<string, unknown>>;

/** The profile preferences (as in chrome://prefs-internals) that the options stand for. */
function preferencesFor(options: LaunchOptions): Preferences | undefined {
  const prefs: Preferences = {};
  if (options.allowThirdPartyCookies) prefs.profile = { cookie_controls_mode: 0 };
  if (options.restoreLastSession) prefs.session = { restore_on_startup: 1 };
  return Object.keys(prefs).length ? prefs : undefined;
}

/** Merges preferences into the profile's `Default/Preferences`, where Chromium reads them at start. */
function writePreferences(userDataDir: string, prefs: Preferences): void {
  const file = join(userDataDir, 'Default', 'Preferences');
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Preferences) : {};
  for (const [section, values] of Object.entries(prefs)) current[section] = { ...current[section], ...values };
  mkdirSync(join(userDataDir, 'Default'), { recursive: true });
  writeFileSync(file, JSON.stringify(current));
}

/** Headless Chromium (Debian's, or `CHROMIUM_PATH`) with the flags this machine needs. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const prefs = preferencesFor(options);
  // Puppeteer makes (and removes) a profile of its own unless given one; preferences need ours.
  const ownProfile = prefs && !options.userDataDir ? mkdtempSync(join(tmpdir(), 'browser-profile-')) : undefined;
  const userDataDir = options.userDataDir ?? ownProfile;
  if (prefs) writePreferences(userDataDir!, prefs);
  const removeOwnProfile = () => ownProfile && rmSync(ownProfile, { recursive: true, force: true, maxRetries: 3 });
  try {
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
      userDataDir,
      acceptInsecureCerts: options.acceptInsecureCerts,
    });
    // Once the browser process is gone, not merely disconnected: it writes the profile until it exits.
    browser.process()?.once('exit', removeOwnProfile);
    return browser;
  } catch (err) {
    removeOwnProfile();
    throw err;
  }
}

export interface Served {
  /** `scheme://host:port`, as the browser addresses it. */
  origin: string;
  port: number;
  /** The absolute URL of `path` on this origin. */
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * Listens on a free port of 127.0.0.1 and names the origin after `host`. Chromium resolves
 * `localhost` to loopback by itself, so the name alone decides the site the browser sees; binding
 * 127.0.0.1 either way keeps the server reachable where `localhost` would resolve to ::1 first.
 */
export async function listenOnLoopback(server: Server | HttpsServer, host: '127.0.0.1' | 'localhost' = '127.0.0.1'): Promise<Served> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${server instanceof HttpsServer ? 'https' : 'http'}://${host}:${port}`;
  return {
    origin,
    port,
    url: (path) => new URL(path, origin).toString(),
    close: () => closeServer(server),
  };
}

/** Closes a server now: idle keep-alive connections from a browser would otherwise hold it open. */
function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Static HTML pages on their own origin (`http://host:port`): the "SPA" or the "attacker" of a test.
 * `127.0.0.1` and `localhost` are different sites to a browser, so the host picks the relation.
 */
export function servePages(host: '127.0.0.1' | 'localhost', pages: Record<string, string>): Promise<Served> {
  const server = createServer((req, res) => {
    const html = pages[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(html === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  return listenOnLoopback(server, host);
}

export interface Certificate {
  key: string;
  cert: string;
}

/** A throwaway self-signed certificate for `hostnames` and 127.0.0.1, made by the system's openssl. */
export function selfSignedCertificate(hostnames: string[]): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'browser-cert-'));
  try {
    const altNames = [...hostnames.map((h) => `DNS:${h}`), 'IP:127.0.0.1'].join(',');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', `/CN=${hostnames[0] ?? '127.0.0.1'}`, '-addext', `subjectAltName=${altNames}`,
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Headers that describe one hop (RFC 9110 §7.6.1): each side of the proxy sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** `rawHeaders` (name, value, name, value…) less the hop-by-hop ones; repeated `Set-Cookie` lines survive. */
function endToEnd(rawHeaders: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}

/** What the app behind the proxy is told: the client's address and that it came over TLS. */
function forwardedHeaders(req: IncomingMessage): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const client = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${client}` : client;
  headers['x-forwarded-proto'] = 'https';
  return headers;
}

export interface TlsProxyOptions extends Certificate {
  /** The plain-HTTP server, on 127.0.0.1. */
  targetPort: number;
  /** The host the HTTPS origin is named after (it listens on 127.0.0.1). Default `127.0.0.1`. */
  host?: '127.0.0.1' | 'localhost';
}

/**
 * An HTTPS front (HTTP/1.1, keep-alive) for a plain-HTTP server, as a TLS-terminating load balancer:
 * it adds `X-Forwarded-Proto: https` and `X-Forwarded-For`, so an app that trusts loopback proxies
 * sees secure requests. Each request is proxied on its own, which is what lets it add headers.
 */
export async function tlsProxy(options: TlsProxyOptions): Promise<Served> {
  const agent = new Agent({ keepAlive: true });
  const server = createHttpsServer({ key: options.key, cert: options.cert }, forward);
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: '127.0.0.1', port: options.targetPort, method: req.method, path: req.url, headers: forwardedHeaders(req), agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    // A browser that gives up on a request (navigation, closed tab) must not leave it running upstream.
    res.on('close', () => res.writableFinished || upstream.destroy());
    req.pipe(upstream);
  }
  const served = await listenOnLoopback(server, options.host);
  return {
    ...served,
    close: async () => {
      await served.close();
      agent.destroy();
    },
  };
}

export interface CookieLogEntry {
  method: string;
  path: string;
  cookieNames: string[];
}

/** The names in a `Cookie` header, in order and with repeats (a partitioned and a plain cookie may share one). */
function cookieNames(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(';').map((pair) => pair.split('=')[0].trim());
}

/**
 * Records which cookies each request carried — the proof of what a browser sent where. The
 * middleware fits Express (`app.use`) and plain `node:http` handlers alike.
 */
export function cookieLog(): {
  entries: CookieLogEntry[];
  middleware: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
} {
  const entries: CookieLogEntry[] = [];
  return {
    entries,
    middleware: (req, _res, next) => {
      // Express rewrites `url` inside mounted routers; `originalUrl` is the path the browser asked for.
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      entries.push({ method: req.method ?? 'GET', path: new URL(url, 'http://x').pathname, cookieNames: cookieNames(req.headers.cookie) });
      next();
    },
  };
}

/**
 * The browsers and contexts a suite opens, so that `afterEach`/`afterAll` close them whatever the
 * tests did. A fresh context is an empty cookie jar: ports do not separate cookies, so tests that
 * shared one would see each other's.
 */
export function browserTracker() {
  const browsers: Browser[] = [];
  const contexts: BrowserContext[] = [];
  return {
    async launch(options: LaunchOptions = {}): Promise<Browser> {
      const browser = await launchBrowser(options);
      browsers.push(browser);
      return browser;
    },
    /** A page in a new browser context. */
    async freshPage(browser: Browser): Promise<{ page: Page; context: BrowserContext }> {
      const context = await browser.createBrowserContext();
      contexts.push(context);
      return { page: await context.newPage(), context };
    },
    async closeContexts(): Promise<void> {
      await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
    },
    async closeBrowsers(): Promise<void> {
      await Promise.all(browsers.splice(0).filter((b) => b.connected).map((b) => b.close()));
    },
  };
}
