import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { AuthEvent } from '../src/auth/events/auth-events';
import { createUser, loginSession } from './utils/auth-helpers';
import { uniqueEmail } from './utils/factories';
import { decodePart, issueTokens, refresh } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';

describe('auth events', () => {
  let t: TestApp;
  let seen: Array<{ name: string; payload: Record<string, unknown> }>;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '2' });
    t.app.get(EventEmitter2).onAny((name, payload) => seen.push({ name: String(name), payload }));
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(() => t.close());

  /** Runs an action and returns the event names it emitted (order kept). */
  async function eventsOf(action: () => Promise<unknown>): Promise<string[]> {
    seen = [];
    await action();
    await new Promise((r) => setImmediate(r));
    return seen.map((e) => e.name);
  }

  it('emits each event once per action, with no secrets in the payloads', async () => {
    const user = await createUser(t);
    let session!: Awaited<ReturnType<typeof loginSession>>;
    expect(await eventsOf(async () => (session = await loginSession(t, user)))).toEqual([AuthEvent.LoginSucceeded]);
    expect(seen[0].payload).toMatchObject({ userId: user.id, kind: 'session', event: AuthEvent.LoginSucceeded, at: expect.any(String) });

    let pair!: Awaited<ReturnType<typeof issueTokens>>;
    expect(await eventsOf(async () => (pair = await issueTokens(t, user)))).toEqual([AuthEvent.LoginSucceeded]);
    expect(seen[0].payload).toMatchObject({ kind: 'token', signInId: decodePart(pair.accessToken, 1).sid });

    let next!: { refreshToken: string };
    expect(await eventsOf(async () => (next = (await refresh(t, pair.refreshToken).expect(200)).body))).toEqual([AuthEvent.TokenRefreshed]);
    expect(await eventsOf(() => refresh(t, pair.refreshToken).expect(200))).toEqual([AuthEvent.TokenRefreshed]); // grace replay
    expect(seen[0].payload.replayedWithinGrace).toBe(true);
    await refresh(t, next.refreshToken).expect(200);
    expect(await eventsOf(() => refresh(t, pair.refreshToken).expect(401))).toEqual([AuthEvent.RefreshReuseDetected, AuthEvent.SignInRevoked]);

    expect(await eventsOf(() => request(t.http).post('/auth/token').send({ email: user.email, password: 'not it at all' }).expect(401))).toEqual([AuthEvent.LoginFailed]);
    expect(seen[0].payload).toMatchObject({ email: user.email });

    const other = await issueTokens(t, user);
    expect(await eventsOf(() => request(t.http).post('/auth/token/revoke').send({ refreshToken: other.refreshToken }).expect(204))).toEqual([AuthEvent.SignInRevoked]);
    expect(await eventsOf(() => request(t.http).post('/auth/token/revoke').send({ refreshToken: other.refreshToken }).expect(204))).toEqual([]); // nothing changed

    const victim = await loginSession(t, user);
    const victimId = (await request(t.http).get('/auth/me').set('Cookie', victim.cookie)).body.auth.signInId;
    expect(
      await eventsOf(() => request(t.http).delete(`/auth/sessions/${victimId}`).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken).expect(204)),
    ).toEqual([AuthEvent.SignInRevoked]);
    expect(await eventsOf(() => request(t.http).post('/auth/sessions/revoke-others').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken).expect(204))).toEqual([
      AuthEvent.SignInRevoked,
    ]);
    expect(
      await eventsOf(() =>
        request(t.http)
          .post('/auth/password')
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', session.csrfToken)
          .send({ currentPassword: user.password, newPassword: 'a whole new passphrase' })
          .expect(204)
          .then((res) => (session = { ...session, cookie: res.headers['set-cookie'][0].split(';')[0] })),
      ),
    ).toEqual([AuthEvent.SignInRevoked, AuthEvent.PasswordChanged]);
    const csrf = (await request(t.http).get('/auth/csrf').set('Cookie', session.cookie).expect(200)).body.csrfToken;
    expect(await eventsOf(() => request(t.http).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', csrf).expect(204))).toEqual([AuthEvent.Logout]);
  });

  it('emits throttling once per refused attempt', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 2; i++) await request(t.http).post('/auth/token').send({ email, password: 'wrong guess here' }).expect(401);
    expect(await eventsOf(() => request(t.http).post('/auth/token').send({ email, password: 'wrong guess here' }).expect(429))).toEqual([AuthEvent.Throttled]);
    expect(seen[0].payload).toMatchObject({ scope: 'account', email });
  });

  it('never puts passwords, tokens or cookies in payloads', async () => {
    const user = await createUser(t);
    const all: unknown[] = [];
    t.app.get(EventEmitter2).onAny((_n, p) => all.push(p));
    const s = await loginSession(t, user);
    const p = await issueTokens(t, user);
    await refresh(t, p.refreshToken).expect(200);
    await request(t.http).post('/auth/token').send({ email: user.email, password: 'wrong secret guess' });
    const text = JSON.stringify(all);
    for (const secret of [user.password, 'wrong secret guess', p.refreshToken, p.accessToken, s.sid, s.csrfToken]) expect(text).not.toContain(secret);
  });
});
