import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { outboxMessages, ReceivedMail, tokenFrom } from './utils/mail-server';
import { GOOD_PASSWORD, uniqueEmail } from './utils/factories';
import { freePort, ROOT, spawnNode, spawnNodeInTerminal, Spawned, waitForHttp } from './utils/process';

// These drive the built server (`npm test` builds first) as separate processes, exactly as
// `npm start` runs it: the embedded database, its lock, restarts, and production secret checks.
const MAIN = 'dist/src/app/main.js';
// Longer than waitForHttp's 60 s, so a server that starts too slowly on a loaded machine fails
// with its own output in the error (waitForHttp's), not with a bare Jest timeout.
const SERVER_TEST_MS = 120_000;
const USER_CREATE = 'dist/src/app/cli/user-create.js';
const API_KEY_CREATE = 'dist/src/app/cli/api-key-create.js';
const USER_DISABLE = 'dist/src/app/cli/user-disable.js';

beforeAll(() => {
  if (!existsSync(join(ROOT, MAIN))) throw new Error(`${MAIN} is missing: run "npm run build" (npm test does)`);
});

describe('production mode', () => {
  it('refuses to start without secrets or a mail server, naming the variables', async () => {
    const p = spawnNode(MAIN, [], { NODE_ENV: 'production', DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-')) });
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toMatch(/JWT_SECRET is required in production/);
    expect(p.output()).toMatch(/SESSION_SECRET is required in production/);
    expect(p.output()).toMatch(/SMTP_URL is required in production/);
  });

  it('refuses short secrets without printing their values', async () => {
    const p = spawnNode(MAIN, [], {
      NODE_ENV: 'production',
      JWT_SECRET: 'tooshort-jwt-value',
      SESSION_SECRET: 'x'.repeat(40) + ',tooshort-session-value',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-')),
    });
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toMatch(/JWT_SECRET must be at least 32 bytes/);
    expect(p.output()).toMatch(/SESSION_SECRET \(entry 2\) must be at least 32 bytes/);
    expect(p.output()).not.toContain('tooshort');
    expect(p.output()).not.toContain('x'.repeat(40));
  });

  it('refuses malformed settings, naming the variable', async () => {
    const p = spawnNode(MAIN, [], { SESSION_IDLE_TTL: 'soon', PORT: 'http', DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-')) });
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toMatch(/SESSION_IDLE_TTL must be a duration/);
    expect(p.output()).toMatch(/PORT must be an integer/);
  });
});

describe('production hygiene', () => {
  const prod = {
    NODE_ENV: 'production',
    JWT_SECRET: 'p'.repeat(40),
    SESSION_SECRET: 'q'.repeat(40),
    SMTP_URL: 'smtp://mailer:secret-smtp-password@127.0.0.1:2525', // never connected to here: no mail is sent
  };

  it('refuses to run on the embedded database unless told to', async () => {
    const p = spawnNode(MAIN, [], { ...prod, DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-')) });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/DATABASE_URL is required in production[\s\S]*ALLOW_EMBEDDED_DB_IN_PRODUCTION=true/);
  });

  it('serves no /docs and no demo routes by default; a login over plain HTTP says once why its cookie is missing', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const p = spawnNode(MAIN, [], { ...prod, ALLOW_EMBEDDED_DB_IN_PRODUCTION: 'true', DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-')), PORT: String(port) });
    try {
      await waitForHttp(`${base}/health`, p);
      for (const path of ['/docs', '/docs-json', '/examples/public']) expect((await fetch(`${base}${path}`)).status).toBe(404);
      expect((await fetch(`${base}/examples/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
      const email = uniqueEmail('prod');
      const post = (path: string, body: unknown) =>
        fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/auth/register', { email, password: GOOD_PASSWORD })).status).toBe(201);
      for (let i = 0; i < 2; i++) {
        const login = await post('/auth/session/login', { email, password: GOOD_PASSWORD });
        expect(login.status).toBe(200);
        expect(login.headers.get('set-cookie')).toBeNull(); // Secure cookie over plain HTTP
      }
      await new Promise((r) => setTimeout(r, 200));
      const warnings = p.output().split('\n').filter((l) => l.includes('Secure cookie is not set'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/TRUST_PROXY[\s\S]*COOKIE_SECURE/);
      // No Redis in production: a warning at boot that every instance throttles on its own.
      expect(p.output()).toMatch(/No Redis configured: login throttling .* every instance behind a load balancer allows the full limits/);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, SERVER_TEST_MS);

  it('serves /docs and the demo routes in production only when enabled', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const p = spawnNode(MAIN, [], {
      ...prod,
      ALLOW_EMBEDDED_DB_IN_PRODUCTION: 'true',
      OPENAPI_ENABLED: 'true',
      EXAMPLES_ENABLED: 'true',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-')),
      PORT: String(port),
    });
    try {
      await waitForHttp(`${base}/health`, p);
      expect((await fetch(`${base}/docs-json`)).status).toBe(200);
      expect((await fetch(`${base}/examples/public`)).status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, SERVER_TEST_MS);
});

describe('embedded database (no DATABASE_URL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nda-embedded-'));
  let server: Spawned | undefined;
  let base: string;

  async function start(): Promise<Spawned> {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const p = spawnNode(MAIN, [], { DATA_DIR: dataDir, PORT: String(port) });
    await waitForHttp(`${base}/health`, p);
    return p;
  }
  async function stop(p: Spawned): Promise<void> {
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  const email = uniqueEmail('persist');
  const register = () =>
    fetch(`${base}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });

  it('starts with no setup, generates development secrets with a warning, and serves /health', async () => {
    server = await start();
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', checks: { database: 'up', sessionStore: 'up' } });
    expect(server.output()).toMatch(/JWT_SECRET and SESSION_SECRET not set: using development secrets/);
    expect(existsSync(join(dataDir, 'dev-secrets.json'))).toBe(true);
    expect((await register()).status).toBe(201);
  }, SERVER_TEST_MS + 30_000);

  it('refuses a second server on the same data folder with a clear message', async () => {
    const second = spawnNode(MAIN, [], { DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/embedded database in .* is in use by process \d+/);
  });

  it('creates a user from the command line through the running server, the password never on the command line', async () => {
    const cliEmail = uniqueEmail('Cli');
    const secret = 'cli canary passphrase 4417';
    const cli = spawnNode(USER_CREATE, ['--email', cliEmail, '--password-stdin', '--roles', 'admin,user', '--display-name', 'Ops'], { DATA_DIR: dataDir }, { input: `${secret}\n` });
    expect(await cli.exited).toBe(0);
    expect(JSON.parse(cli.output())).toMatchObject({ email: cliEmail.toLowerCase(), roles: ['admin', 'user'], displayName: 'Ops' });
    expect(cli.output()).not.toContain(secret);
    const login = await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: cliEmail, password: secret }) });
    expect(login.status).toBe(200); // stdin minus its one trailing newline, nothing else

    const fromEnv = spawnNode(USER_CREATE, ['--email', uniqueEmail('env')], { DATA_DIR: dataDir, NEW_USER_PASSWORD: secret });
    expect(await fromEnv.exited).toBe(0);
    expect(fromEnv.output()).not.toContain(secret);

    const again = spawnNode(USER_CREATE, ['--email', cliEmail, '--password-stdin'], { DATA_DIR: dataDir }, { input: GOOD_PASSWORD });
    expect(await again.exited).toBe(1);
    expect(again.output()).toMatch(/already registered/);

    const bad = spawnNode(USER_CREATE, ['--email', 'nope', '--password-stdin'], { DATA_DIR: dataDir }, { input: 'short' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/email must be an email address/);

    const onCommandLine = spawnNode(USER_CREATE, ['--email', uniqueEmail(), '--password', secret], { DATA_DIR: dataDir });
    expect(await onCommandLine.exited).toBe(2);
    expect(onCommandLine.output()).toMatch(/--password is not accepted/);

    const none = spawnNode(USER_CREATE, ['--email', uniqueEmail()], { DATA_DIR: dataDir });
    expect(await none.exited).toBe(2);
    expect(none.output()).toMatch(/no password: pipe it with --password-stdin, set NEW_USER_PASSWORD, or run in a terminal/);
  }, SERVER_TEST_MS);

  it('creates an API key from the command line: the key alone on stdout, once; the running server accepts it', async () => {
    const owner = uniqueEmail('keys');
    expect(await spawnNode(USER_CREATE, ['--email', owner], { DATA_DIR: dataDir, NEW_USER_PASSWORD: GOOD_PASSWORD }).exited).toBe(0);
    const cli = spawnNode(API_KEY_CREATE, ['--email', owner, '--name', 'ci', '--scopes', 'examples:read', '--expires-in', '30d'], { DATA_DIR: dataDir });
    expect(await cli.exited).toBe(0);
    const key = cli.stdout!().trim();
    expect(key).toMatch(/^nda_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);
    expect(cli.output().split(key).length).toBe(2); // printed once, nowhere else
    expect(cli.output()).toMatch(/"prefix": "nda_/);
    expect((await fetch(`${base}/examples/api-key`, { headers: { 'x-api-key': key } })).status).toBe(200);

    const unknown = spawnNode(API_KEY_CREATE, ['--email', uniqueEmail(), '--name', 'x', '--scopes', ''], { DATA_DIR: dataDir });
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/no user with the email/);
    const tooLong = spawnNode(API_KEY_CREATE, ['--email', owner, '--name', 'x', '--scopes', 'a', '--expires-in', '2000d'], { DATA_DIR: dataDir });
    expect(await tooLong.exited).toBe(1);
    expect(tooLong.output()).toMatch(/expiresIn must be at most 365 days/);
    const usage = spawnNode(API_KEY_CREATE, ['--email', owner], { DATA_DIR: dataDir });
    expect(await usage.exited).toBe(2);
    expect(usage.output()).toMatch(/--name is required[\s\S]*usage: npm run api-key:create/);
  }, SERVER_TEST_MS);

  it('asks for the password in a terminal without echoing it', async () => {
    const secret = 'typed canary passphrase 9921';
    const cli = spawnNodeInTerminal(USER_CREATE, ['--email', uniqueEmail('tty')], { DATA_DIR: dataDir }, { waitFor: /(Password|Repeat it): /, lines: [secret, secret] });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/Password: [\s\S]*Repeat it: /);
    expect(cli.output()).toMatch(/"roles": \[\s*"user"/);
    expect(cli.output()).not.toContain(secret);

    // Type-ahead: both answers typed at once, before the second prompt shows: neither is echoed.
    const fast = spawnNodeInTerminal(USER_CREATE, ['--email', uniqueEmail('tty')], { DATA_DIR: dataDir }, { waitFor: /Password: /, lines: [`${secret}\r${secret}`] });
    expect(await fast.exited).toBe(0);
    expect(fast.output()).toMatch(/"roles": \[\s*"user"/);
    expect(fast.output()).not.toContain(secret);
  }, SERVER_TEST_MS);

  it('disables a user from the command line: the running server refuses the user at once', async () => {
    const login = await fetch(`${base}/auth/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${base}/examples/session`, { headers: { cookie } })).status).toBe(200);

    const cli = spawnNode(USER_DISABLE, ['--email', email.toUpperCase()], { DATA_DIR: dataDir });
    expect(await cli.exited).toBe(0);
    expect(JSON.parse(cli.output())).toMatchObject({ email, disabled: true });
    expect((await fetch(`${base}/examples/session`, { headers: { cookie } })).status).toBe(401);

    const enable = spawnNode(USER_DISABLE, ['--email', email, '--enable'], { DATA_DIR: dataDir });
    expect(await enable.exited).toBe(0);
    const unknown = spawnNode(USER_DISABLE, ['--email', 'nobody@example.com'], { DATA_DIR: dataDir });
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/no user with email nobody@example.com/);
  }, SERVER_TEST_MS);

  it('never logs passwords, tokens, cookies or hashes', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const secretPassword = 'log-canary passphrase 7731';
    const who = uniqueEmail('canary');
    expect((await post('/auth/register', { email: who, password: secretPassword })).status).toBe(201);
    const session = await post('/auth/session/login', { email: who, password: secretPassword });
    const cookie = session.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const tokens = (await (await post('/auth/token', { email: who, password: secretPassword })).json()) as { accessToken: string; refreshToken: string };
    const rotated = (await (await post('/auth/token/refresh', { refreshToken: tokens.refreshToken })).json()) as { refreshToken: string };
    await post('/auth/token', { email: who, password: 'wrong-canary-password' });
    await post('/auth/password', { currentPassword: 'wrong-canary-password', newPassword: 'x' }, { cookie, 'x-csrf-token': csrfToken });
    await fetch(`${base}/examples/jwt`, { headers: { authorization: `Bearer ${tokens.accessToken}x` } });
    const apiKey = ((await (await post('/auth/api-keys', { name: 'canary', scopes: ['examples:read'] }, { authorization: `Bearer ${tokens.accessToken}` })).json()) as { key: string }).key;
    expect((await fetch(`${base}/examples/api-key`, { headers: { 'x-api-key': apiKey } })).status).toBe(200);
    await fetch(`${base}/examples/api-key`, { headers: { authorization: `Bearer ${apiKey.slice(0, -1)}x` } });
    await fetch(`${base}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"password":"${secretPassword}",` });
    // Mailed links: the verification of the registration, and a password reset, both followed.
    expect((await post('/auth/password/forgot', { email: who })).status).toBe(202);
    const outbox = join(dataDir, 'outbox');
    let mailed: ReceivedMail[] = [];
    for (let i = 0; i < 100 && mailed.filter((m) => m.to.includes(who)).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      mailed = await outboxMessages(outbox);
    }
    const verifyToken = tokenFrom(mailed.find((m) => m.to.includes(who) && /Confirm/.test(m.subject))!, 'verify-email');
    const resetToken = tokenFrom(mailed.find((m) => m.to.includes(who) && /Reset/.test(m.subject))!, 'reset-password');
    expect((await post('/auth/email/verify', { token: verifyToken })).status).toBe(204);
    expect((await post('/auth/password/reset', { token: resetToken, newPassword: `${secretPassword} new` })).status).toBe(204);

    const logs = server!.output();
    expect(logs).toMatch(/verify-email\W{1,3}mail written to \S+\.eml/); // the development outbox names its files
    for (const secret of [secretPassword, 'wrong-canary-password', cookie.split('=')[1], csrfToken, tokens.accessToken, tokens.refreshToken, rotated.refreshToken, verifyToken, resetToken, apiKey, apiKey.slice(12)]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/token=/);
    expect(logs).not.toContain('$argon2');
  }, SERVER_TEST_MS);

  it('drains in-flight requests on SIGTERM, then keeps registered users across a restart', async () => {
    // Logins and registrations: both hash. (One account's concurrent checks are capped at
    // LOGIN_MAX_FAILURES = 5, so the logins stay below that.)
    const post = (path: string, body: object) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
    const inFlight = [
      ...Array.from({ length: 4 }, () => post('/auth/token', { email, password: GOOD_PASSWORD })),
      ...Array.from({ length: 4 }, () => post('/auth/register', { email: uniqueEmail('drain'), password: GOOD_PASSWORD })),
    ];
    await new Promise((r) => setTimeout(r, 15)); // accepted, and hashing
    await stop(server!);
    expect(await Promise.all(inFlight)).toEqual([...Array(4).fill(200), ...Array(4).fill(201)]);
    expect(existsSync(join(dataDir, 'embedded-db.lock'))).toBe(false);
    server = await start();
    expect((await register()).status).toBe(409);
    await stop(server);
  }, SERVER_TEST_MS + 30_000);
});

describe('migration commands', () => {
  it('apply, show and revert by name, logging no query and no parameter', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nda-migrate-'));
    const run = async (command: string) => {
      const p = spawnNode('dist/src/app/cli/migrations.js', [command], { DATA_DIR: dataDir });
      expect(await p.exited).toBe(0);
      return p.output();
    };
    const applied = await run('run');
    expect(applied).toMatch(/^applied CreateUsers\d+$/m);
    expect(await run('revert')).toMatch(/^reverted \w+\d+$/m);
    expect(await run('show')).toMatch(/^\[ \] \w+/m);
    const all = applied + (await run('run')) + (await run('show'));
    expect(all).not.toMatch(/PARAMETERS|query|INSERT|SELECT/i);
  }, SERVER_TEST_MS);
});

describe('logs under a login flood', () => {
  it('one line per throttled request, and auth.throttled once per key per window', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const p = spawnNode(MAIN, [], {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-flood-')),
      PORT: String(port),
      LOGIN_RATE_LIMIT_PER_IP: '10',
      LOGIN_MAX_FAILURES: '3',
    });
    try {
      await waitForHttp(`${base}/health`, p);
      const login = () =>
        fetch(`${base}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'victim@example.com', password: 'wrong password guess' }),
        }).then((r) => r.status);
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push(await login());
      // 3 checked (401); the account backs off (429 ×7); then the IP limit of 10 a minute (429 ×50).
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(57);
      await new Promise((r) => setTimeout(r, 200)); // let the last lines reach the pipe
      const lines = p.output().split('\n').filter((l) => l.startsWith('{'));
      const requestLines429 = lines.filter((l) => /"path":"\/auth\/token"/.test(l) && /"statusCode":429/.test(l));
      const throttledEvents = lines.filter((l) => l.includes('auth.throttled'));
      expect(requestLines429).toHaveLength(57);
      expect(throttledEvents).toHaveLength(2); // one for the account, one for the IP
      expect(throttledEvents.some((l) => l.includes('"scope":"account"'))).toBe(true);
      expect(throttledEvents.some((l) => l.includes('"scope":"ip"'))).toBe(true);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, SERVER_TEST_MS);
});

describe('request logs are written asynchronously and none is lost', () => {
  const requestLines = (out: string, path: string) => out.split('\n').filter((l) => l.startsWith('{') && l.includes(`"path":"${path}"`) && l.includes('"msg":"request completed"'));

  it('SIGTERM right after a burst: every request has its line, with the request id, user and strategy', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const p = spawnNode(MAIN, [], { DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-logs-')), PORT: String(port), LOG_LEVEL: 'info', EXAMPLES_ENABLED: 'true' });
    try {
      await waitForHttp(`${base}/health`, p);
      const email = uniqueEmail('logs');
      const post = (path: string, body: object) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await post('/auth/register', { email, password: GOOD_PASSWORD });
      const { accessToken } = (await (await post('/auth/token', { email, password: GOOD_PASSWORD })).json()) as { accessToken: string };
      const N = 400;
      const ids = Array.from({ length: N }, (_, i) => `burst-${i}`);
      const statuses = await Promise.all(ids.map((id) => fetch(`${base}/examples/jwt`, { headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': id } }).then((r) => r.status)));
      expect(statuses.every((s) => s === 200)).toBe(true);
      p.child.kill('SIGTERM'); // at once: lines still in the buffer must be flushed on the way out
      expect(await p.exited).toBe(0);
      const lines = requestLines(p.output(), '/examples/jwt').map((l) => JSON.parse(l) as { reqId: string; userId?: string; strategy?: string; res: { statusCode: number } });
      expect(lines).toHaveLength(N);
      expect(new Set(lines.map((l) => l.reqId))).toEqual(new Set(ids));
      expect(lines.every((l) => l.strategy === 'jwt' && typeof l.userId === 'string' && l.res.statusCode === 200)).toBe(true);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, SERVER_TEST_MS);

  it('an uncaught exception: every line logged before it is written, then one fatal line, exit 1', async () => {
    // The app's own logger and crash handler (dist/src/app/logging), in a process that then throws.
    const script = `
      const { rootLogger, flushLogsOnCrash } = require(${JSON.stringify(join(ROOT, 'dist/src/app/logging/logging.module.js'))});
      const log = rootLogger({ logFormat: 'json', logLevel: 'info' });
      flushLogsOnCrash(log);
      for (let i = 0; i < 20000; i++) log.info({ n: i }, 'line');
      throw new Error('boom');
    `;
    const file = join(mkdtempSync(join(tmpdir(), 'nda-crash-')), 'crash.js');
    writeFileSync(file, script);
    const p = spawnNode(relative(ROOT, file), [], {});
    expect(await p.exited).toBe(1);
    const lines = p.stdout!().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { n?: number; level: number; msg: string; err?: { message: string } });
    expect(lines.filter((l) => l.msg === 'line').map((l) => l.n)).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    expect(lines[lines.length - 1]).toMatchObject({ level: 60, msg: 'uncaught exception', err: { message: 'boom' } });
  }, SERVER_TEST_MS);
});
