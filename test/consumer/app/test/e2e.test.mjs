// The consumer app's e2e spec, run against its built server (node --test). DATABASE_URL is given
// by the runner: a PGlite server or a fresh PostgreSQL database.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) throw new Error('DATABASE_URL is required');

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Starts a built entry point and waits until `path` answers 200. */
async function startProcess(script, env, path) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited:\n${output}`);
    try {
      if ((await fetch(`${url}${path}`)).status < 500) return { child, url };
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${script} did not start:\n${output}`);
}

let server;
let base;
let orders;
before(async () => {
  // ES256 access tokens, so that another service can verify them from the JWKS alone.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  ({ child: server, url: base } = await startProcess('dist/main.js', {
    DATABASE_URL,
    JWT_SECRET: 'consumer-jwt-secret-that-is-long-enough-0123',
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    SESSION_SECRET: 'consumer-session-secret-long-enough-012345',
  }, '/reports/status'));
  // The other service: its own process, knowing only the kit and the host's JWKS URL.
  orders = await startProcess('dist/orders-service.js', { ISSUER_JWKS_URL: `${base}/.well-known/jwks.json` }, '/orders/mine');
});
after(() => {
  server?.kill('SIGTERM');
  orders?.child.kill('SIGTERM');
});

const json = (method, path, body, headers = {}) =>
  fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const email = (p) => `${p}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const password = 'correct horse battery staple';

describe('a host app using nest-dual-auth from the packed tarball', () => {
  it('serves its public route, and denies undecorated routes by default (401 without credentials)', async () => {
    assert.equal((await json('GET', '/reports/status')).status, 200);
    for (const path of ['/reports/session', '/reports/jwt', '/reports/either', '/reports/admin', '/reports/default']) {
      const res = await json('GET', path);
      assert.equal(res.status, 401, path);
      assert.equal((await res.json()).code, 'credentials_missing');
    }
  });

  it('session: the built-in login sets the cookie; the host route needs X-CSRF-Token on POST', async () => {
    const who = email('session');
    assert.equal((await json('POST', '/auth/register', { email: who, password })).status, 201);
    const login = await json('POST', '/auth/session/login', { email: who, password });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const { csrfToken } = await login.json();
    const get = await json('GET', '/reports/session', undefined, { cookie });
    assert.equal(get.status, 200);
    assert.deepEqual(await get.json(), { strategy: 'session', email: who });
    const noCsrf = await json('POST', '/reports/session', { a: 1 }, { cookie });
    assert.equal(noCsrf.status, 403);
    assert.equal((await noCsrf.json()).code, 'csrf_failed');
    const withCsrf = await json('POST', '/reports/session', { a: 1 }, { cookie, 'x-csrf-token': csrfToken });
    assert.equal(withCsrf.status, 201);
    assert.equal((await json('GET', '/reports/either', undefined, { cookie })).status, 200);
    assert.equal((await json('GET', '/reports/jwt', undefined, { cookie })).status, 401);
    assert.equal((await json('GET', '/reports/default', undefined, { cookie })).status, 200);
  });

  it('JWT: Bearer tokens on the host routes, refresh rotates, and a non-admin is refused by @Roles', async () => {
    const who = email('jwt');
    await json('POST', '/auth/register', { email: who, password });
    const tokens = await (await json('POST', '/auth/token', { email: who, password })).json();
    const bearer = { authorization: `Bearer ${tokens.accessToken}` };
    const res = await json('GET', '/reports/jwt', undefined, bearer);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { strategy: 'jwt', email: who });
    assert.equal((await json('GET', '/reports/either', undefined, bearer)).status, 200);
    assert.equal((await json('GET', '/reports/session', undefined, bearer)).status, 401);
    const invalid = await json('GET', '/reports/jwt', undefined, { authorization: `Bearer ${tokens.accessToken}x` });
    assert.equal(invalid.status, 401);
    assert.equal(invalid.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const forbidden = await json('GET', '/reports/admin', undefined, bearer);
    assert.equal(forbidden.status, 403);
    assert.equal((await forbidden.json()).code, 'forbidden_role');
    const rotated = await json('POST', '/auth/token/refresh', { refreshToken: tokens.refreshToken });
    assert.equal(rotated.status, 200);
  });

  it('roles: an admin (role set in the host database) passes @Roles("admin") with either strategy', async () => {
    const who = email('admin');
    await json('POST', '/auth/register', { email: who, password });
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query(`UPDATE auth_users SET roles = '{admin,user}' WHERE email = $1`, [who]);
    await db.end();
    const tokens = await (await json('POST', '/auth/token', { email: who, password })).json();
    const res = await json('GET', '/reports/admin', undefined, { authorization: `Bearer ${tokens.accessToken}` });
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).roles, ['admin', 'user']);
    const login = await json('POST', '/auth/session/login', { email: who, password });
    const cookie = login.headers.get('set-cookie').split(';')[0];
    assert.equal((await json('GET', '/reports/admin', undefined, { cookie })).status, 200);
  });

  it('refuses hostile input on the host routes too (the input gate), with no stack trace', async () => {
    const who = email('gate');
    await json('POST', '/auth/register', { email: who, password });
    const tokens = await (await json('POST', '/auth/token', { email: who, password })).json();
    const res = await fetch(`${base}/reports/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{"x":1}}' });
    assert.equal(res.status, 400);
    const weird = await json('POST', '/auth/register', { email: `a\u0000${who}`, password });
    assert.equal(weird.status, 400);
    assert.match(JSON.stringify(await weird.json()), /NUL/);
    assert.ok(tokens.accessToken);
  });

  it('another service (nest-dual-auth/resource-server, its own process) accepts the host\'s access tokens from the JWKS', async () => {
    const who = email('kit');
    assert.equal((await json('POST', '/auth/register', { email: who, password })).status, 201);
    const tokens = await (await json('POST', '/auth/token', { email: who, password })).json();
    const mine = await fetch(`${orders.url}/orders/mine`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    assert.equal(mine.status, 200);
    assert.deepEqual((await mine.json()).roles, ['user']);
    assert.equal((await fetch(`${orders.url}/orders/all`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status, 403);
    const missing = await fetch(`${orders.url}/orders/mine`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const tampered = `${tokens.accessToken.slice(0, -4)}AAAA`;
    const refused = await fetch(`${orders.url}/orders/mine`, { headers: { authorization: `Bearer ${tampered}` } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });
});
