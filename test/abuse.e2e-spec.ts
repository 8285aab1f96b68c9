import { Algorithm, hash } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { HousekeepingService } from '../src/auth/sign-ins/housekeeping.service';
import { PasswordHasher } from '../src/auth/passwords/password-hasher';
import { createUser, loginSession, TestUser } from './utils/auth-helpers';
import { GOOD_PASSWORD, uniqueEmail } from './utils/factories';
import { issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp, withTestApp } from './utils/test-app';
import { hasTestRedis, NO_REDIS, testRedisEnv, testSessionBackend } from './utils/test-redis';

const login = (t: TestApp, email: string, password: string, ip?: string) => {
  const req = request(t.http).post('/auth/token').send({ email, password });
  if (ip) req.set('X-Forwarded-For', ip);
  return req;
};
// Client addresses of this run only, never reused within it: per-IP counters in a shared Redis
// outlive a test (and a run) by a minute, so two tests drawing the same address would share a budget.
const ipPrefix = `10.${randomInt(0, 256)}.${randomInt(0, 256)}`;
let ipNo = 0;
const testIp = () => `${ipPrefix}.${++ipNo}`;

describe('per-account throttling (LOGIN_MAX_FAILURES=5, then back-off)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '5' });
  });
  afterAll(() => t.close());

  it('8 bad passwords for one account → 429 with Retry-After, while another account still logs in', async () => {
    const victim = await createUser(t);
    const bystander = await createUser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await login(t, i % 2 ? victim.email.toUpperCase() : ` ${victim.email} `, 'wrong password guess');
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body).toMatchObject({ statusCode: 429, code: 'rate_limited' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    }
    // Case and space variants share one counter: five failures, then back-off.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Even the right password waits out the back-off …
    await login(t, victim.email, victim.password).expect(429);
    await request(t.http).post('/auth/session/login').send({ email: victim.email, password: victim.password }).expect(429);
    // … while other accounts are unaffected.
    await login(t, bystander.email, bystander.password).expect(200);
  });

  it('treats unknown emails exactly like known ones (no enumeration through throttling)', async () => {
    const known = await createUser(t);
    const run = async (email: string) => {
      const out: Array<[number, string]> = [];
      for (let i = 0; i < 7; i++) {
        const res = await login(t, email, 'wrong password guess');
        out.push([res.status, JSON.stringify({ ...res.body, message: res.body.message.replace(/\d+ s/, 'N s') })]);
      }
      return out;
    };
    expect(await run(uniqueEmail('ghost'))).toEqual(await run(known.email));
  });

  it('a successful login clears the failure count', async () => {
    const u = await createUser(t);
    for (let i = 0; i < 4; i++) await login(t, u.email, 'wrong password guess').expect(401);
    await login(t, u.email, u.password).expect(200);
    for (let i = 0; i < 4; i++) await login(t, u.email, 'wrong password guess').expect(401);
  });

  it('counts wrong current passwords on POST /auth/password against the account', async () => {
    const u = await createUser(t);
    const { accessToken } = await issueTokens(t, u);
    for (let i = 0; i < 5; i++) {
      await request(t.http).post('/auth/password').set('Authorization', `Bearer ${accessToken}`).send({ currentPassword: 'guess number x', newPassword: 'a fresh passphrase' }).expect(401);
    }
    await request(t.http).post('/auth/password').set('Authorization', `Bearer ${accessToken}`).send({ currentPassword: u.password, newPassword: 'a fresh passphrase' }).expect(429);
  });
});

// The check and the count are one atomic step in the counter store, so a burst cannot slip
// past the limit between them: on the in-memory store always, and on Redis when the run has one.
const counterStores: Array<[string, Record<string, string | undefined>]> = [['in memory', NO_REDIS]];
if (hasTestRedis()) counterStores.push([`in ${testSessionBackend()}`, testRedisEnv()]);

describe.each(counterStores)('atomic back-off, counters %s', (_where, env) => {
  it('100 concurrent wrong passwords for one account: at most LOGIN_MAX_FAILURES are checked, the rest get 429', async () => {
    await withTestApp({ ...env, LOGIN_MAX_FAILURES: '5' }, async (t) => {
      const victim = await createUser(t);
      const hasher = t.app.get(PasswordHasher);
      const verify = jest.spyOn(hasher, 'verify');
      try {
        const statuses = await Promise.all(Array.from({ length: 100 }, () => login(t, victim.email, 'wrong password guess').then((r) => r.status)));
        expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
        expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(1);
        expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
        expect(verify.mock.calls.length).toBeLessThanOrEqual(5);
      } finally {
        verify.mockRestore();
      }
      // The right password waits out the back-off like everyone else.
      await login(t, victim.email, victim.password).expect(429);
    });
  });

  it('concurrent right passwords for one account: up to LOGIN_MAX_FAILURES at once, the rest told to retry in 1 s', async () => {
    await withTestApp({ ...env, LOGIN_MAX_FAILURES: '5' }, async (t) => {
      const u = await createUser(t);
      const burst = await Promise.all(Array.from({ length: 8 }, () => login(t, u.email, u.password)));
      expect(burst.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(5);
      for (const r of burst.filter((r) => r.status !== 200)) {
        expect(r.status).toBe(429);
        expect(r.headers['retry-after']).toBe('1');
      }
      await login(t, u.email, u.password).expect(200); // nothing was counted against the account
    });
  });

  it('100 concurrent requests from one IP: exactly LOGIN_RATE_LIMIT_PER_IP get through', async () => {
    await withTestApp({ ...env, LOGIN_RATE_LIMIT_PER_IP: '10', TRUST_PROXY: 'loopback' }, async (t) => {
      const ip = testIp();
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () => request(t.http).post('/auth/token/refresh').set('X-Forwarded-For', ip).send({ refreshToken: 'C'.repeat(43) }).then((r) => r.status)),
      );
      expect(statuses.filter((s) => s !== 429)).toHaveLength(10);
    });
  });

  it('a credential check that never ran (the request failed first) does not count against the account', async () => {
    await withTestApp({ ...env, LOGIN_MAX_FAILURES: '3' }, async (t) => {
      const u = await createUser(t);
      const hasher = t.app.get(PasswordHasher);
      const verify = jest.spyOn(hasher, 'verify').mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
      try {
        for (let i = 0; i < 6; i++) await login(t, u.email, u.password).expect(503);
      } finally {
        verify.mockRestore();
      }
      await login(t, u.email, u.password).expect(200);
    });
  });
});

describe('per-IP throttling', () => {
  it('limits login/token/register/refresh per client IP, keyed on X-Forwarded-For only behind a trusted proxy', async () => {
    await withTestApp({ LOGIN_RATE_LIMIT_PER_IP: '4', TRUST_PROXY: 'loopback' }, async (t) => {
      const user = await createUser(t);
      const ip = testIp();
      await login(t, user.email, user.password, ip).expect(200);
      await request(t.http).post('/auth/session/login').set('X-Forwarded-For', ip).send({ email: user.email, password: user.password }).expect(200);
      await request(t.http).post('/auth/register').set('X-Forwarded-For', ip).send({ email: uniqueEmail(), password: GOOD_PASSWORD }).expect(201);
      await request(t.http).post('/auth/token/refresh').set('X-Forwarded-For', ip).send({ refreshToken: 'C'.repeat(43) }).expect(401);
      const limited = await login(t, user.email, user.password, ip).expect(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await request(t.http).post('/auth/token/refresh').set('X-Forwarded-For', ip).send({ refreshToken: 'C'.repeat(43) }).expect(429);
      await login(t, user.email, user.password, testIp()).expect(200); // another client
    });
  });

  it('ignores a spoofed X-Forwarded-For when no proxy is trusted', async () => {
    await withTestApp({ LOGIN_RATE_LIMIT_PER_IP: '3' }, async (t) => {
      const user = await createUser(t);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(t, user.email, user.password, testIp())).status);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
      expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    });
  });
});

describe('credential hygiene', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  it('unknown emails take as long as wrong passwords (dummy hash), within 2× over repeated samples', async () => {
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      await login(t, email, 'wrong password guess').expect(401);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    await time(uniqueEmail()); // warm-up: the dummy hash is made on first use
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 12; i++) {
      known.push(await time(user.email));
      unknown.push(await time(uniqueEmail('ghost')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('refuses oversized passwords before any hashing', async () => {
    const hasher = t.app.get(PasswordHasher);
    const verify = jest.spyOn(hasher, 'verify');
    const hashFn = jest.spyOn(hasher, 'hash');
    try {
      const mb = 'p'.repeat(1024 * 1024);
      await request(t.http).post('/auth/register').send({ email: uniqueEmail(), password: mb }).expect(413);
      await request(t.http).post('/auth/token').send({ email: user.email, password: mb }).expect(413);
      const res = await request(t.http).post('/auth/session/login').send({ email: user.email, password: 'p'.repeat(5000) }).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(/password must be shorter than or equal to 512 characters/);
      await request(t.http).post('/auth/register').send({ email: uniqueEmail(), password: 'p'.repeat(129) }).expect(400);
      expect(verify).not.toHaveBeenCalled();
      expect(hashFn).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
      hashFn.mockRestore();
    }
  });

  it('refuses common passwords with the reason, at registration and on password change', async () => {
    const res = await request(t.http).post('/auth/register').send({ email: uniqueEmail(), password: 'Password123' }).expect(400);
    expect(JSON.stringify(res.body.message)).toMatch(/too common/);
    const { accessToken } = await issueTokens(t, user);
    const change = await request(t.http).post('/auth/password').set('Authorization', `Bearer ${accessToken}`).send({ currentPassword: user.password, newPassword: 'iloveyou123' }).expect(400);
    expect(JSON.stringify(change.body.message)).toMatch(/newPassword is too common/);
  });

  it('rehashes on login when the stored hash uses older parameters', async () => {
    const u = await createUser(t);
    const weak = await hash(u.password, { algorithm: Algorithm.Argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await t.sql('UPDATE auth_users SET password_hash = $1 WHERE id = $2', [weak, u.id]);
    await login(t, u.email, u.password).expect(200);
    const [row] = await t.sql<{ password_hash: string }>('SELECT password_hash FROM auth_users WHERE id = $1', [u.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await login(t, u.email, u.password).expect(200);
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await request(t.http).get('/examples/public').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS', () => {
  it('allows credentials only for CORS_ORIGINS', async () => {
    await withTestApp({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' }, async (t) => {
      const ok = await request(t.http)
        .options('/auth/session/login')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,x-csrf-token');
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(ok.headers['access-control-allow-credentials']).toBe('true');
      expect(ok.headers['access-control-allow-headers']).toMatch(/X-CSRF-Token/i);
      const evil = await request(t.http).get('/examples/public').set('Origin', 'https://evil.example.net');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});

describe('housekeeping', () => {
  it('prunes expired sessions and token families, and keeps live ones', async () => {
    await withTestApp({ ...NO_REDIS }, async (t) => {
      const u = await createUser(t);
      const live = await loginSession(t, u);
      const dead = await loginSession(t, u);
      const liveTokens = await issueTokens(t, u);
      const deadTokens = await issueTokens(t, u);
      const deadFamily = JSON.parse(Buffer.from(deadTokens.accessToken.split('.')[1], 'base64url').toString()).sid;
      await t.sql(`UPDATE auth_sessions SET idle_expires_at = now() - interval '1 second' WHERE id = encode(sha256($1::bytea), 'hex')`, [dead.sid]);
      await t.sql(`UPDATE auth_refresh_families SET absolute_expires_at = now() - interval '1 second' WHERE id = $1`, [deadFamily]);
      const pruned = await t.app.get(HousekeepingService).prune();
      expect(pruned.sessions).toBeGreaterThanOrEqual(1);
      expect(pruned.tokenFamilies).toBeGreaterThanOrEqual(1);
      expect(await t.sql('SELECT 1 FROM auth_refresh_tokens WHERE family_id = $1', [deadFamily])).toEqual([]);
      await request(t.http).get('/examples/session').set('Cookie', live.cookie).expect(200);
      await request(t.http).get('/examples/session').set('Cookie', dead.cookie).expect(401);
      await request(t.http).post('/auth/token/refresh').send({ refreshToken: liveTokens.refreshToken }).expect(200);
    });
  });
});
