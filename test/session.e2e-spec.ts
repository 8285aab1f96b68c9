import { Controller, Get, Module, Post } from '@nestjs/common';
import request from 'supertest';
import { Auth, Public } from '../src/auth/decorators/auth.decorators';
import { SessionService } from '../src/auth/sessions/session.service';
import { createUser, loginSession, sessionCookieFrom, sidOf, sleep, storedSession, TestUser } from './utils/auth-helpers';
import { uniqueEmail } from './utils/factories';
import { startTestApp, TestApp, withTestApp } from './utils/test-app';
import { testSessionBackend } from './utils/test-redis';

const backend = testSessionBackend();

/** Routes that exercise decorator composition (class vs method, undecorated default). */
@Controller('composition')
@Public()
class CompositionController {
  @Get('open') open() {
    return { ok: true };
  }
  @Get('closed') @Auth('session') closed() {
    return { ok: true };
  }
}
@Controller('defaulted')
class DefaultedController {
  @Get() undecorated() {
    return { ok: true };
  }
  @Post() write() {
    return { ok: true };
  }
}
@Module({ controllers: [CompositionController, DefaultedController] })
class CompositionModule {}

describe(`session strategy (sessions in ${backend})`, () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({}, [CompositionModule]);
    user = await createUser(t);
  });
  afterAll(() => t.close());

  describe('POST /auth/session/login', () => {
    it('signs in: user + csrfToken, an HttpOnly SameSite=Lax cookie, and a stored session without the raw id', async () => {
      const res = await request(t.http)
        .post('/auth/session/login')
        .set('User-Agent', 'jest-browser/1.0')
        .send({ email: `  ${user.email.toUpperCase()} `, password: user.password })
        .expect(200);
      expect(res.body).toEqual({ user: { id: user.id, email: user.email, displayName: null, roles: ['user'], emailVerified: false, createdAt: user.createdAt }, csrfToken: expect.any(String) });
      expect(res.body.csrfToken.length).toBeGreaterThanOrEqual(40);
      expect(res.headers['cache-control']).toBe('no-store');
      const setCookie = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('sid='))!;
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).toMatch(/; HttpOnly/);
      expect(setCookie).toMatch(/; SameSite=Lax/);
      expect(setCookie).not.toMatch(/; Secure/);
      const sid = sidOf(setCookie.split(';')[0]);
      const stored = await storedSession(t, sid);
      expect(stored).not.toBeNull();
      expect(JSON.stringify(stored)).not.toContain(sid);
      expect(JSON.stringify(stored)).toContain('jest-browser/1.0');
    });

    it('answers unknown email and wrong password with the same 401', async () => {
      const wrong = await request(t.http).post('/auth/session/login').send({ email: user.email, password: 'wrong password!' }).expect(401);
      const unknown = await request(t.http).post('/auth/session/login').send({ email: uniqueEmail('ghost'), password: 'wrong password!' }).expect(401);
      expect(wrong.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid email or password', code: 'credentials_invalid' });
      expect(unknown.body).toEqual(wrong.body);
      expect(sessionCookieFrom(wrong)).toBeUndefined();
      expect(sessionCookieFrom(unknown)).toBeUndefined();
    });

    it.each([
      ['a missing password', { email: 'a@example.com' }, 400],
      ['a non-string email', { email: ['a@example.com'], password: 'whatever12' }, 400],
      ['a 10 kB password (refused before hashing)', { email: 'a@example.com', password: 'x'.repeat(10_000) }, 400],
      ['unknown fields', { email: 'a@example.com', password: 'whatever12', admin: true }, 400],
    ])('refuses %s with a clear 4xx', async (_name, body, status) => {
      const res = await request(t.http).post('/auth/session/login').send(body).expect(status);
      expect(res.body.statusCode).toBe(status);
      expect(sessionCookieFrom(res)).toBeUndefined();
    });

    it('refuses a form-encoded login with 415 (no login CSRF from plain HTML forms)', async () => {
      await request(t.http).post('/auth/session/login').type('form').send({ email: user.email, password: user.password }).expect(415);
    });
  });

  describe('fixation', () => {
    it('never adopts a planted cookie: login issues a new id and the planted session is ended', async () => {
      const attacker = await createUser(t, { prefix: 'attacker' });
      const planted = await loginSession(t, attacker);
      const victim = await loginSession(t, user, planted.cookie);
      expect(victim.sid).not.toBe(planted.sid);
      // The attacker's copy of the cookie never becomes the victim's session: it is simply dead.
      await request(t.http).get('/auth/me').set('Cookie', planted.cookie).expect(401);
      expect(await storedSession(t, planted.sid)).toBeNull();
      const me = await request(t.http).get('/auth/me').set('Cookie', victim.cookie).expect(200);
      expect(me.body.user.id).toBe(user.id);
    });

    it('ignores a made-up session id and issues a fresh one', async () => {
      const res = await loginSession(t, user, 'sid=s%3Aattacker-chosen-id.bogus');
      expect(res.sid).not.toBe('attacker-chosen-id');
      expect(await storedSession(t, 'attacker-chosen-id')).toBeNull();
    });

    it('changes the id on every login', async () => {
      const a = await loginSession(t, user);
      const b = await loginSession(t, user, a.cookie);
      expect(b.sid).not.toBe(a.sid);
    });
  });

  describe('session-only routes refuse everything but a live session', () => {
    it('no credentials → 401 credentials_missing', async () => {
      const res = await request(t.http).get('/examples/session').expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'credentials_missing' });
    });

    it('a Bearer-only request → 401 with WWW-Authenticate', async () => {
      const res = await request(t.http).get('/examples/session').set('Authorization', 'Bearer abc.def.ghi').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('a tampered cookie → 401 session_expired, never 500', async () => {
      const { cookie } = await loginSession(t, user);
      const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      const res = await request(t.http).get('/examples/session').set('Cookie', tampered).expect(401);
      expect(res.body.code).toBe('session_expired');
      for (const garbage of ['sid=', 'sid=%', 'sid=s%3A', 'sid=' + 'x'.repeat(5000), 'sid=s%3A..']) {
        await request(t.http).get('/examples/session').set('Cookie', garbage).expect(401);
      }
    });

    it('a live session → 200 with the strategy, and /auth/me + /auth/csrf agree', async () => {
      const s = await loginSession(t, user);
      await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(200, { strategy: 'session' });
      const me = await request(t.http).get('/auth/me').set('Cookie', s.cookie).expect(200);
      expect(me.body).toEqual({ user: s.body.user, auth: { strategy: 'session', signInId: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
      expect(me.headers['cache-control']).toBe('no-store');
      expect(me.body.auth.signInId).not.toBe(s.sid);
      const csrf = await request(t.http).get('/auth/csrf').set('Cookie', s.cookie).expect(200);
      expect(csrf.body).toEqual({ csrfToken: s.csrfToken });
    });

    it('GET /auth/csrf without a session → 401', async () => {
      await request(t.http).get('/auth/csrf').expect(401);
    });
  });

  describe('logout', () => {
    it('needs the CSRF token, then deletes the session, clears the cookie, and the old cookie is refused', async () => {
      const s = await loginSession(t, user);
      const noToken = await request(t.http).post('/auth/session/logout').set('Cookie', s.cookie).expect(403);
      expect(noToken.body.code).toBe('csrf_failed');
      expect(await storedSession(t, s.sid)).not.toBeNull();

      const res = await request(t.http).post('/auth/session/logout').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrfToken).expect(204);
      const cleared = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('sid='))!;
      expect(cleared).toMatch(/^sid=;/);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(await storedSession(t, s.sid)).toBeNull();

      const replay = await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(401);
      expect(replay.body.code).toBe('session_expired');
      await request(t.http).post('/auth/session/logout').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrfToken).expect(401);
    });

    it('without a session → 401', async () => {
      await request(t.http).post('/auth/session/logout').expect(401);
    });

    it('never lets a late write resurrect a destroyed session (the logout race)', async () => {
      const s = await loginSession(t, user);
      const sessions = t.app.get(SessionService);
      const [data] = [await storedSession(t, s.sid)];
      await request(t.http).post('/auth/session/logout').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrfToken).expect(204);
      // What a slow request still in flight would do when it ends: save or touch its session.
      await new Promise<void>((res, rej) => sessions.store.set(s.sid, { cookie: {}, auth: data } as never, (e) => (e ? rej(e) : res())));
      await new Promise<void>((res, rej) => sessions.store.touch(s.sid, { cookie: {} } as never, (e) => (e ? rej(e) : res())));
      expect(await storedSession(t, s.sid)).toBeNull();
      await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(401);
    });
  });

  describe('CSRF on cookie-authenticated unsafe requests', () => {
    it('no token or a forged token → 403 and the handler does not run; the right token → 200', async () => {
      const s = await loginSession(t, user);
      const none = await request(t.http).post('/examples/echo').set('Cookie', s.cookie).send({ a: 1 }).expect(403);
      expect(none.body).toMatchObject({ statusCode: 403, code: 'csrf_failed' });
      await request(t.http).post('/examples/echo').set('Cookie', s.cookie).set('X-CSRF-Token', 'forged').send({ a: 1 }).expect(403);
      const other = await loginSession(t, user);
      await request(t.http).post('/examples/echo').set('Cookie', s.cookie).set('X-CSRF-Token', other.csrfToken).send({ a: 1 }).expect(403);
      const ok = await request(t.http).post('/examples/echo').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrfToken).send({ a: 1 }).expect(201);
      expect(ok.body).toEqual({ strategy: 'session', body: { a: 1 } });
    });
  });

  describe('roles', () => {
    it('403 forbidden_role for non-admins, 200 for admins', async () => {
      const s = await loginSession(t, user);
      const res = await request(t.http).get('/examples/admin').set('Cookie', s.cookie).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'forbidden_role' });
      const admin = await createUser(t, { roles: ['admin', 'user'], prefix: 'admin' });
      const a = await loginSession(t, admin);
      await request(t.http).get('/examples/admin').set('Cookie', a.cookie).expect(200);
    });
  });

  describe('per-route choice', () => {
    it('public routes need nothing', async () => {
      await request(t.http).get('/examples/public').expect(200, { ok: true });
    });

    it('method-level @Auth wins over class-level @Public', async () => {
      await request(t.http).get('/composition/open').expect(200);
      await request(t.http).get('/composition/closed').expect(401);
    });

    it('undecorated routes are denied without credentials and use the default strategies', async () => {
      await request(t.http).get('/defaulted').expect(401);
      const s = await loginSession(t, user);
      await request(t.http).get('/defaulted').set('Cookie', s.cookie).expect(200);
      await request(t.http).post('/defaulted').set('Cookie', s.cookie).expect(403); // CSRF applies by default too
    });
  });
});

describe(`session timeouts (sessions in ${backend})`, () => {
  it('expires a session after the idle timeout, and activity slides it', async () => {
    await withTestApp({ SESSION_IDLE_TTL: '1500ms', SESSION_ABSOLUTE_TTL: '1h' }, async (t) => {
      const user = await createUser(t);
      const active = await loginSession(t, user);
      const idle = await loginSession(t, user);
      for (let i = 0; i < 5; i++) {
        await sleep(500);
        await request(t.http).get('/examples/session').set('Cookie', active.cookie).expect(200);
      }
      // 2.5 s after login: the active session slid, the idle one expired.
      const res = await request(t.http).get('/examples/session').set('Cookie', idle.cookie).expect(401);
      expect(res.body.code).toBe('session_expired');
      await request(t.http).get('/examples/session').set('Cookie', active.cookie).expect(200);
    });
  });

  it('expires a session at the absolute lifetime even when active', async () => {
    await withTestApp({ SESSION_IDLE_TTL: '1h', SESSION_ABSOLUTE_TTL: '2s' }, async (t) => {
      const user = await createUser(t);
      const s = await loginSession(t, user);
      for (let i = 0; i < 3; i++) {
        await sleep(500);
        await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(200);
      }
      await sleep(800);
      await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(401);
    });
  });
});

describe(`session cookie settings (sessions in ${backend})`, () => {
  it('uses __Host-sid with Secure when COOKIE_SECURE is on (HTTPS via a trusted proxy)', async () => {
    await withTestApp({ COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' }, async (t) => {
      const user = await createUser(t);
      const res = await request(t.http)
        .post('/auth/session/login')
        .set('X-Forwarded-Proto', 'https')
        .send({ email: user.email, password: user.password })
        .expect(200);
      const setCookie = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('__Host-sid='))!;
      expect(setCookie).toMatch(/; Secure/);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).not.toMatch(/Domain=/);
      const cookie = setCookie.split(';')[0];
      await request(t.http).get('/examples/session').set('X-Forwarded-Proto', 'https').set('Cookie', cookie).expect(200);
    });
  });

  it('keeps sessions signed with a previous secret valid after rotation', async () => {
    const oldSecret = 'old-session-secret-0123456789-0123456789';
    const a = await startTestApp({ SESSION_SECRET: oldSecret });
    const user = await createUser(a);
    const s = await loginSession(a, user);
    await a.close();
    const b = await startTestApp({ SESSION_SECRET: `new-session-secret-0123456789-0123456789,${oldSecret}` });
    try {
      await request(b.http).get('/examples/session').set('Cookie', s.cookie).expect(200);
      const fresh = await loginSession(b, user);
      expect(decodeURIComponent(fresh.cookie)).not.toBe(decodeURIComponent(s.cookie));
    } finally {
      await b.close();
    }
    const c = await startTestApp({ SESSION_SECRET: 'unrelated-session-secret-0123456789-012345' });
    try {
      await request(c.http).get('/examples/session').set('Cookie', s.cookie).expect(401);
    } finally {
      await c.close();
    }
  });
});
