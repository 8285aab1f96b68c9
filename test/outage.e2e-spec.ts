import request from 'supertest';
import { createUser, loginSession, sleep } from './utils/auth-helpers';
import { issueTokens } from './utils/token-helpers';
import { TcpProxy } from './utils/tcp-proxy';
import { startTestApp, TestApp } from './utils/test-app';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('did not recover in time');
    await sleep(200);
  }
}

function expectUnavailable(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({ statusCode: 503, code: 'dependency_unavailable' });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('database outage', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  beforeAll(async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    // Sessions in the database for this suite (Redis has its own outage test below).
    t = await startTestApp({ TEST_DATABASE_URL_OVERRIDE: TcpProxy.urlThrough(process.env.TEST_DATABASE_URL!, port), REDIS_URL: undefined });
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  it('answers 503 (never 500 or a false 401) while PostgreSQL is unreachable, keeps stateless JWT routes up, and recovers', async () => {
    const user = await createUser(t);
    const s = await loginSession(t, user);
    const p = await issueTokens(t, user);
    await request(t.http).get('/health').expect(200);

    await proxy.cut();
    const health = await request(t.http).get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', checks: { database: 'down' } });
    expectUnavailable(await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }));
    expectUnavailable(await request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password }));
    expectUnavailable(await request(t.http).get('/examples/session').set('Cookie', s.cookie));
    expectUnavailable(await request(t.http).post('/auth/token/refresh').send({ refreshToken: p.refreshToken }));
    expectUnavailable(await request(t.http).get('/examples/jwt-strict').set(bearer(p.accessToken)));
    expectUnavailable(await request(t.http).post('/auth/register').send({ email: `x${Date.now()}@example.com`, password: 'a fine passphrase' }));
    await request(t.http).get('/examples/jwt').set(bearer(p.accessToken)).expect(200);

    await proxy.start();
    await eventually(async () => (await request(t.http).get('/health')).status === 200);
    await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(200);
    await request(t.http).get('/examples/jwt-strict').set(bearer(p.accessToken)).expect(200);
    await request(t.http).post('/auth/token/refresh').send({ refreshToken: p.refreshToken }).expect(200);
  }, 60_000);
});

const describeRedis = process.env.TEST_REDIS_URL ? describe : describe.skip; // needs a Redis server
describeRedis('Redis outage (sessions and throttling counters in Redis)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  beforeAll(async () => {
    const target = new URL(process.env.TEST_REDIS_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.start();
    t = await startTestApp({ REDIS_URL: TcpProxy.urlThrough(process.env.TEST_REDIS_URL!, port) });
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  it('session routes answer 503 and JWT routes 200 while Redis is down, and it recovers by itself', async () => {
    const user = await createUser(t);
    const s = await loginSession(t, user);
    const p = await issueTokens(t, user);

    await proxy.cut();
    await sleep(100);
    expectUnavailable(await request(t.http).get('/examples/session').set('Cookie', s.cookie));
    expectUnavailable(await request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password }));
    const health = await request(t.http).get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', checks: { database: 'up', sessionStore: 'down' } });
    await request(t.http).get('/examples/jwt').set(bearer(p.accessToken)).expect(200);
    await request(t.http).get('/examples/jwt-strict').set(bearer(p.accessToken)).expect(200);

    await proxy.start();
    await eventually(async () => (await request(t.http).get('/health')).status === 200);
    await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(200);
    await loginSession(t, user);
  }, 60_000);
});
