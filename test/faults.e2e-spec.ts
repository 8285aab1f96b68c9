import request from 'supertest';
import { createUser, loginSession, sleep, TestUser } from './utils/auth-helpers';
import { uniqueEmail } from './utils/factories';
import { issueTokens, refresh } from './utils/token-helpers';
import { TcpProxy } from './utils/tcp-proxy';
import { startTestApp, TestApp } from './utils/test-app';
import { NO_REDIS } from './utils/test-redis';

// Dependencies cut, hung and half-open, through a TCP proxy of our own in front of the run's
// PostgreSQL (or embedded database) and Redis — the real services are never touched.
// For each fault: the routes that need the dependency answer 503 within the deadline + 1 s, the
// others keep answering, /health names the dependency within 2 s, and everything recovers by
// itself once the proxy forwards again.

const DEADLINE_MS = 1_000;
const FAULTS = ['cut', 'blackhole', 'drop-replies'] as const;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function timed(req: request.Test): Promise<{ res: request.Response; ms: number }> {
  const start = Date.now();
  const res = await req;
  return { res, ms: Date.now() - start };
}

function expectPrompt503({ res, ms }: { res: request.Response; ms: number }, what: string): void {
  expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status: 503, code: 'dependency_unavailable' });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(ms).toBeLessThanOrEqual(DEADLINE_MS + 1_000);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('did not recover in time');
    await sleep(100);
  }
}

describe('PostgreSQL faults (sessions in the database)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  beforeAll(async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    t = await startTestApp({
      TEST_DATABASE_URL_OVERRIDE: TcpProxy.urlThrough(process.env.TEST_DATABASE_URL!, port),
      ...NO_REDIS,
      DB_QUERY_TIMEOUT: `${DEADLINE_MS}ms`,
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.stop();
  });

  it.each(FAULTS)('%s: 503 within the deadline + 1 s where the database is needed, JWT routes up, recovery without restart', async (fault) => {
    const user = await createUser(t);
    const session = await loginSession(t, user);
    const pair = await issueTokens(t, user);
    await request(t.http).get('/health').expect(200);

    await proxy.fault(fault);
    const affected = await Promise.all([
      timed(request(t.http).post('/auth/token').send({ email: user.email, password: user.password })),
      timed(request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password })),
      timed(request(t.http).get('/examples/session').set('Cookie', session.cookie)),
      timed(request(t.http).get('/examples/jwt-strict').set(bearer(pair.accessToken))),
      timed(request(t.http).get('/auth/me').set(bearer(pair.accessToken))),
      timed(request(t.http).post('/auth/register').send({ email: uniqueEmail('fault'), password: 'a fine passphrase' })),
      timed(refresh(t, pair.refreshToken)),
    ]);
    ['token login', 'session login', 'session route', 'strict route', '/auth/me', 'register', 'refresh'].forEach((what, i) => expectPrompt503(affected[i], what));
    // Stateless routes need no database.
    await request(t.http).get('/examples/jwt').set(bearer(pair.accessToken)).expect(200);
    await request(t.http).get('/examples/public').expect(200);
    const health = await timed(request(t.http).get('/health'));
    expect(health.res.status).toBe(503);
    expect(health.res.body).toMatchObject({ status: 'error', checks: { database: 'down' } });
    expect(health.ms).toBeLessThanOrEqual(2_000);

    await proxy.restore();
    await eventually(async () => (await request(t.http).get('/health')).status === 200);
    await request(t.http).get('/examples/session').set('Cookie', session.cookie).expect(200);
    await request(t.http).get('/examples/jwt-strict').set(bearer(pair.accessToken)).expect(200);
    // The refresh during the fault may have committed with its answer lost: the retry still works.
    const retried = await refresh(t, pair.refreshToken).expect(200);
    await refresh(t, retried.body.refreshToken).expect(200);
    await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(200);
  }, 60_000);

  it('20 clients retrying their refreshes through a 12 s drop-replies outage all keep their sign-in', async () => {
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const user = await createUser(t, { prefix: 'storm' });
        return { user, pair: await issueTokens(t, user), attempts: 0 };
      }),
    );
    await proxy.fault('drop-replies');
    const outageEnds = Date.now() + 12_000;
    const restored = sleep(12_000).then(() => proxy.restore());
    // Each client refreshes; on any failure it waits a second and retries the same token.
    const results = await Promise.all(
      clients.map(async (c) => {
        for (;;) {
          c.attempts++;
          const res = await refresh(t, c.pair.refreshToken).catch(() => undefined);
          if (res?.status === 200) return res.body as { accessToken: string; refreshToken: string };
          if (res && res.status !== 503) throw new Error(`refresh answered ${res.status} ${JSON.stringify(res.body)}`);
          await sleep(1_000);
        }
      }),
    );
    await restored;
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    expect(clients.every((c) => c.attempts > 5)).toBe(true); // they really retried through the outage
    // Every family is live: the new tokens refresh and pass a strict route; none was revoked.
    for (const r of results) {
      await request(t.http).get('/examples/jwt-strict').set(bearer(r.accessToken)).expect(200);
      await refresh(t, r.refreshToken).expect(200);
    }
    const revoked = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM auth_refresh_families WHERE user_id = ANY($1::uuid[]) AND revoked_at IS NOT NULL`,
      [clients.map((c) => c.user.id)],
    );
    expect(Number(revoked[0].n)).toBe(0);
  }, 60_000);
});

const describeRedis = process.env.TEST_REDIS_URL ? describe : describe.skip; // needs a Redis server
describeRedis('Redis faults (sessions and throttling counters in Redis)', () => {
  const REDIS_DEADLINE_MS = 500;
  let proxy: TcpProxy;
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    const target = new URL(process.env.TEST_REDIS_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.start();
    t = await startTestApp({ REDIS_URL: TcpProxy.urlThrough(process.env.TEST_REDIS_URL!, port), REDIS_COMMAND_TIMEOUT: `${REDIS_DEADLINE_MS}ms` });
    user = await createUser(t);
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.stop();
  });

  it.each(FAULTS)('%s: session routes 503 within the deadline + 1 s, JWT routes up, recovery without restart', async (fault) => {
    const session = await loginSession(t, user);
    const pair = await issueTokens(t, user);
    await request(t.http).get('/health').expect(200);

    await proxy.fault(fault);
    const affected = await Promise.all([
      timed(request(t.http).get('/examples/session').set('Cookie', session.cookie)),
      timed(request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password })),
      timed(request(t.http).get('/auth/sessions').set('Cookie', session.cookie)),
    ]);
    ['session route', 'session login', 'sign-in list'].forEach((what, i) => expectPrompt503(affected[i], what));
    await request(t.http).get('/examples/jwt').set(bearer(pair.accessToken)).expect(200);
    await request(t.http).get('/examples/jwt-strict').set(bearer(pair.accessToken)).expect(200);
    await request(t.http).get('/auth/me').set(bearer(pair.accessToken)).expect(200);
    const health = await timed(request(t.http).get('/health'));
    expect(health.res.status).toBe(503);
    expect(health.res.body).toMatchObject({ status: 'error', checks: { database: 'up', sessionStore: 'down' } });
    expect(health.ms).toBeLessThanOrEqual(2_000);

    await proxy.restore();
    await eventually(async () => (await request(t.http).get('/health')).status === 200);
    await request(t.http).get('/examples/session').set('Cookie', session.cookie).expect(200);
    await loginSession(t, user);
  }, 60_000);
});
