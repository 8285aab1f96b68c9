import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnNode, Spawned, waitForHttp } from './utils/process';
import { TEST_SECRETS } from './utils/test-app';
import { hasTestRedis, testRedisEnv, testSessionBackend } from './utils/test-redis';

/**
 * Two instances of the built app (`node dist/src/app/main.js`, separate processes) on the run's one
 * database and, when the run has one, its Redis — as behind a round-robin proxy without sticky
 * sessions: every scenario alternates its requests between them.
 */
const MAIN = 'dist/src/app/main.js';
// Refreshes count toward the per-IP limit too: room for the longest scenario (16 requests).
const LOGIN_LIMIT = 20;

interface Instance {
  base: string;
  process: Spawned;
}

async function startInstance(): Promise<Instance> {
  const port = await freePort();
  const p = spawnNode(MAIN, [], {
    ...testRedisEnv(),
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-multi-')),
    ...TEST_SECRETS,
    // Each scenario comes from its own client address (X-Forwarded-For from loopback is trusted).
    TRUST_PROXY: 'loopback',
    LOGIN_RATE_LIMIT_PER_IP: String(LOGIN_LIMIT),
    LOGIN_MAX_FAILURES: '1000',
    JWT_REFRESH_GRACE: '10s',
    EXAMPLES_ENABLED: 'true',
    LOG_LEVEL: 'info', // waitForHttp reads the "listening on" line
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, p);
  return { base, process: p };
}

let a: Instance;
let b: Instance;
let clientNo = 0;
// Addresses of this run only: throttling counters in a shared Redis outlive a run by a minute.
const subnet = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

beforeAll(async () => {
  [a, b] = await Promise.all([startInstance(), startInstance()]);
}, 120_000);
afterAll(async () => {
  for (const i of [a, b]) {
    if (!i) continue;
    i.process.child.kill('SIGTERM');
    await i.process.exited;
  }
});

/** One client (its own address), whose requests go to A, B, A, B … */
function client() {
  const ip = `${subnet}.${++clientNo}`;
  let turn = 0;
  const next = () => (turn++ % 2 === 0 ? a : b);
  const call = async (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; on?: Instance } = {}) => {
    const target = opts.on ?? next();
    const res = await fetch(`${target.base}${path}`, {
      method,
      headers: { 'x-forwarded-for': ip, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers, served: target === a ? 'A' : 'B' };
  };
  return { ip, call };
}

async function newUser(c: ReturnType<typeof client>) {
  const email = `multi-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'correct horse battery staple';
  expect((await c.call('POST', '/auth/register', { body: { email, password } })).status).toBe(201);
  return { email, password };
}

const sessionCookie = (res: { headers: Headers }) => res.headers.getSetCookie().find((c) => c.startsWith('sid='))!.split(';')[0];

describe(`two instances, requests alternating (sessions in ${testSessionBackend()})`, () => {
  it('a session: login on one, used, CSRF-checked and logged out across both', async () => {
    const c = client();
    const u = await newUser(c);
    const login = await c.call('POST', '/auth/session/login', { body: u, on: a });
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login);
    const csrf = login.body.csrfToken as string;
    for (let i = 0; i < 4; i++) expect((await c.call('GET', '/auth/me', { headers: { cookie } })).body).toMatchObject({ auth: { strategy: 'session' } });
    // The CSRF token issued by A is honoured by B, and a missing one refused by both.
    expect((await c.call('POST', '/examples/echo', { on: b, body: { x: 1 }, headers: { cookie, 'x-csrf-token': csrf } })).status).toBe(201);
    expect((await c.call('POST', '/examples/echo', { on: a, body: { x: 1 }, headers: { cookie } })).status).toBe(403);
    expect((await c.call('POST', '/examples/echo', { on: b, body: { x: 1 }, headers: { cookie } })).status).toBe(403);
    // Logout on B ends the session for A at once.
    expect((await c.call('POST', '/auth/session/logout', { on: b, headers: { cookie, 'x-csrf-token': csrf } })).status).toBe(204);
    expect((await c.call('GET', '/auth/me', { on: a, headers: { cookie } })).status).toBe(401);
    expect((await c.call('GET', '/auth/me', { on: b, headers: { cookie } })).status).toBe(401);
  });

  it('a refresh chain alternating instances, a grace replay on the other one, then reuse detected by both', async () => {
    const c = client();
    const u = await newUser(c);
    let pair = (await c.call('POST', '/auth/token', { body: u })).body as { accessToken: string; refreshToken: string };
    const served: string[] = [];
    for (let i = 0; i < 8; i++) {
      // Rotated on one instance, the new access token used on the other's strict route.
      const [here, there] = i % 2 === 0 ? [a, b] : [b, a];
      const r = await c.call('POST', '/auth/token/refresh', { on: here, body: { refreshToken: pair.refreshToken } });
      expect(r.status).toBe(200);
      served.push(r.served);
      pair = r.body as typeof pair;
      expect((await c.call('GET', '/examples/jwt-strict', { on: there, headers: { authorization: `Bearer ${pair.accessToken}` } })).status).toBe(200);
    }
    expect(new Set(served)).toEqual(new Set(['A', 'B']));

    // A client that lost A's answer retries on B within the grace window: the same successor.
    const spent = pair.refreshToken;
    const first = await c.call('POST', '/auth/token/refresh', { on: a, body: { refreshToken: spent } });
    const retry = await c.call('POST', '/auth/token/refresh', { on: b, body: { refreshToken: spent } });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.refreshToken).toBe(first.body.refreshToken);

    // The successor is used (on A); presenting the spent token again (on B) is reuse: the family dies everywhere.
    const successor = await c.call('POST', '/auth/token/refresh', { on: a, body: { refreshToken: first.body.refreshToken } });
    expect(successor.status).toBe(200);
    expect((await c.call('POST', '/auth/token/refresh', { on: b, body: { refreshToken: spent } })).status).toBe(401);
    const latest = successor.body as typeof pair;
    expect((await c.call('POST', '/auth/token/refresh', { on: a, body: { refreshToken: latest.refreshToken } })).status).toBe(401);
    expect((await c.call('GET', '/examples/jwt-strict', { on: b, headers: { authorization: `Bearer ${latest.accessToken}` } })).status).toBe(401);
  });

  it('revoking a sign-in on one instance stops it on the other at once', async () => {
    const c = client();
    const u = await newUser(c);
    const login = await c.call('POST', '/auth/session/login', { on: a, body: u });
    const cookie = sessionCookie(login);
    const tokens = (await c.call('POST', '/auth/token', { on: b, body: u })).body as { accessToken: string; refreshToken: string };
    const bearer = { authorization: `Bearer ${tokens.accessToken}` };
    const list = await c.call('GET', '/auth/sessions', { on: a, headers: bearer });
    const rows = list.body as unknown as Array<{ id: string; kind: string; current: boolean }>;
    const sessionRow = rows.find((r) => r.kind === 'session')!;
    const tokenRow = rows.find((r) => r.current)!;
    // The token sign-in revokes the session (on A); B refuses the cookie on its next request.
    expect((await c.call('DELETE', `/auth/sessions/${sessionRow.id}`, { on: a, headers: bearer })).status).toBe(204);
    expect((await c.call('GET', '/auth/me', { on: b, headers: { cookie } })).status).toBe(401);
    // And the other way round: the token family revoked on B, refused on A's strict route and refresh.
    const other = await c.call('POST', '/auth/session/login', { on: a, body: u });
    const cookie2 = sessionCookie(other);
    expect((await c.call('DELETE', `/auth/sessions/${tokenRow.id}`, { on: b, headers: { cookie: cookie2, 'x-csrf-token': other.body.csrfToken as string } })).status).toBe(204);
    expect((await c.call('GET', '/examples/jwt-strict', { on: a, headers: bearer })).status).toBe(401);
    expect((await c.call('POST', '/auth/token/refresh', { on: a, body: { refreshToken: tokens.refreshToken } })).status).toBe(401);
  });

  it(hasTestRedis() ? 'login throttling is shared: the per-IP limit counts requests to both instances together' : 'without Redis, login throttling is per instance (the documented weakening the boot warning names)', async () => {
    const c = client();
    // Shared counters allow LOGIN_LIMIT attempts in all; per-instance counters LOGIN_LIMIT on each.
    const allowed = hasTestRedis() ? LOGIN_LIMIT : 2 * LOGIN_LIMIT;
    const statuses: number[] = [];
    for (let i = 0; i < allowed + 2; i++) {
      statuses.push((await c.call('POST', '/auth/token', { body: { email: `nobody-${i}@example.com`, password: 'wrong password here' } })).status);
    }
    expect(statuses.slice(0, allowed)).toEqual(Array(allowed).fill(401));
    expect(statuses.slice(allowed)).toEqual([429, 429]);
  });
});
