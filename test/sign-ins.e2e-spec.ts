import request from 'supertest';
import { AccountStatusService } from '../src/auth/accounts/account-status.service';
import { UsersService } from '../src/auth/accounts/users.service';
import { createUser, loginSession, SessionLogin, sessionCookieFrom, TestUser } from './utils/auth-helpers';
import { decodePart, issueTokens, refresh } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';
import { TokenPair } from '../src/auth/tokens/token.service';
import { testSessionBackend } from './utils/test-redis';

const backend = testSessionBackend();
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe(`sign-in ledger (sessions in ${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const familyOf = (p: TokenPair) => decodePart(p.accessToken, 1).sid as string;
  const signInIdOf = async (s: SessionLogin) => (await request(t.http).get('/auth/me').set('Cookie', s.cookie).expect(200)).body.auth.signInId as string;

  async function expectSessionDead(s: SessionLogin) {
    const res = await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(401);
    expect(res.body.code).toBe('session_expired');
  }
  async function expectSessionAlive(s: SessionLogin) {
    await request(t.http).get('/examples/session').set('Cookie', s.cookie).expect(200);
  }
  async function expectFamilyDead(p: TokenPair) {
    await refresh(t, p.refreshToken).expect(401);
    const strict = await request(t.http).get('/examples/jwt-strict').set(bearer(p.accessToken)).expect(401);
    expect(strict.body.code).toBe('signin_revoked');
    // The documented trade-off: stateless JWT routes accept the access token until its exp.
    await request(t.http).get('/examples/jwt').set(bearer(p.accessToken)).expect(200);
  }
  async function expectFamilyAlive(p: TokenPair) {
    await request(t.http).get('/examples/jwt-strict').set(bearer(p.accessToken)).expect(200);
  }

  describe('GET /auth/sessions', () => {
    it('lists a browser session and a token family of one user, with current set from either side', async () => {
      const user = await createUser(t);
      const other = await createUser(t, { prefix: 'other' });
      await loginSession(t, other);
      await issueTokens(t, other);
      const s = await loginSession(t, user);
      const p = await issueTokens(t, user);
      const sessionId = await signInIdOf(s);

      const viaCookie = await request(t.http).get('/auth/sessions').set('Cookie', s.cookie).expect(200);
      expect(viaCookie.headers['cache-control']).toBe('no-store');
      expect(viaCookie.body).toHaveLength(2);
      const row = (id: string) => viaCookie.body.find((r: { id: string }) => r.id === id);
      expect(row(sessionId)).toEqual({
        id: sessionId,
        kind: 'session',
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
        expiresAt: expect.any(String),
        userAgent: null,
        ip: expect.any(String),
        current: true,
      });
      expect(row(familyOf(p))).toMatchObject({ kind: 'token', current: false });

      const viaToken = await request(t.http).get('/auth/sessions').set(bearer(p.accessToken)).expect(200);
      expect(viaToken.body.find((r: { id: string }) => r.id === familyOf(p)).current).toBe(true);
      expect(viaToken.body.find((r: { id: string }) => r.id === sessionId).current).toBe(false);

      // Opaque ids: never the cookie value or a stored hash.
      const body = JSON.stringify(viaCookie.body);
      expect(body).not.toContain(s.sid);
      expect(body).not.toContain(p.refreshToken);
      await request(t.http).get('/auth/sessions').expect(401);
    });

    it('does not list revoked, logged-out or expired sign-ins', async () => {
      const user = await createUser(t);
      const s = await loginSession(t, user);
      const gone = await loginSession(t, user);
      await request(t.http).post('/auth/session/logout').set('Cookie', gone.cookie).set('X-CSRF-Token', gone.csrfToken).expect(204);
      const revoked = await issueTokens(t, user);
      await request(t.http).post('/auth/token/revoke').send({ refreshToken: revoked.refreshToken }).expect(204);
      const res = await request(t.http).get('/auth/sessions').set('Cookie', s.cookie).expect(200);
      expect(res.body.map((r: { current: boolean }) => r.current)).toEqual([true]);
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it("ends another of the caller's sessions at once", async () => {
      const user = await createUser(t);
      const me = await loginSession(t, user);
      const victim = await loginSession(t, user);
      await request(t.http).delete(`/auth/sessions/${await signInIdOf(victim)}`).set('Cookie', me.cookie).set('X-CSRF-Token', me.csrfToken).expect(204);
      await expectSessionDead(victim);
      await expectSessionAlive(me);
    });

    it("ends one of the caller's token families: refresh and strict routes 401", async () => {
      const user = await createUser(t);
      const me = await issueTokens(t, user);
      const victim = await issueTokens(t, user);
      await request(t.http).delete(`/auth/sessions/${familyOf(victim)}`).set(bearer(me.accessToken)).expect(204);
      await expectFamilyDead(victim);
      await expectFamilyAlive(me);
    });

    it("answers 404 for another user's sign-in, an unknown id, or garbage — and changes nothing", async () => {
      const user = await createUser(t);
      const other = await createUser(t, { prefix: 'other' });
      const me = await issueTokens(t, user);
      const theirSession = await loginSession(t, other);
      const theirTokens = await issueTokens(t, other);
      for (const id of [await signInIdOf(theirSession), familyOf(theirTokens), '00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1"]) {
        const res = await request(t.http).delete(`/auth/sessions/${encodeURIComponent(id)}`).set(bearer(me.accessToken));
        expect([id, res.status]).toEqual([id, 404]);
        expect(res.body.statusCode).toBe(404);
      }
      await expectSessionAlive(theirSession);
      await expectFamilyAlive(theirTokens);
    });

    it('needs the CSRF token when cookie-authenticated', async () => {
      const user = await createUser(t);
      const me = await loginSession(t, user);
      const victim = await issueTokens(t, user);
      const res = await request(t.http).delete(`/auth/sessions/${familyOf(victim)}`).set('Cookie', me.cookie).expect(403);
      expect(res.body.code).toBe('csrf_failed');
      await expectFamilyAlive(victim);
    });

    it('deleting the current session signs the caller out and clears the cookie', async () => {
      const user = await createUser(t);
      const me = await loginSession(t, user);
      const res = await request(t.http).delete(`/auth/sessions/${await signInIdOf(me)}`).set('Cookie', me.cookie).set('X-CSRF-Token', me.csrfToken).expect(204);
      expect(sessionCookieFrom(res)).toBe('sid=');
      await expectSessionDead(me);
    });
  });

  describe('POST /auth/sessions/revoke-others', () => {
    it.each(['session', 'jwt'])('from a %s: every other sign-in of both kinds ends, the current one stays', async (via) => {
      const user = await createUser(t);
      const otherSession = await loginSession(t, user);
      const otherTokens = await issueTokens(t, user);
      const meSession = await loginSession(t, user);
      const meTokens = await issueTokens(t, user);
      const req = request(t.http).post('/auth/sessions/revoke-others');
      if (via === 'session') req.set('Cookie', meSession.cookie).set('X-CSRF-Token', meSession.csrfToken);
      else req.set(bearer(meTokens.accessToken));
      await req.expect(204);
      await expectSessionDead(otherSession);
      await expectFamilyDead(otherTokens);
      if (via === 'session') {
        await expectSessionAlive(meSession);
        await expectFamilyDead(meTokens);
      } else {
        await expectFamilyAlive(meTokens);
        await refresh(t, meTokens.refreshToken).expect(200);
        await expectSessionDead(meSession);
      }
    });

    it('needs the CSRF token when cookie-authenticated, and a sign-in', async () => {
      const user = await createUser(t);
      const me = await loginSession(t, user);
      const other = await loginSession(t, user);
      await request(t.http).post('/auth/sessions/revoke-others').set('Cookie', me.cookie).expect(403);
      await expectSessionAlive(other);
      await request(t.http).post('/auth/sessions/revoke-others').expect(401);
    });
  });

  describe('POST /auth/password', () => {
    const NEW_PASSWORD = 'a brand new passphrase 42';

    it('from a session: revokes every other sign-in, keeps this one under a new id and CSRF token', async () => {
      const user = await createUser(t);
      const otherSession = await loginSession(t, user);
      const otherTokens = await issueTokens(t, user);
      const me = await loginSession(t, user);
      const signInId = await signInIdOf(me);
      const res = await request(t.http)
        .post('/auth/password')
        .set('Cookie', me.cookie)
        .set('X-CSRF-Token', me.csrfToken)
        .send({ currentPassword: user.password, newPassword: NEW_PASSWORD })
        .expect(204);
      const renewed = sessionCookieFrom(res)!;
      expect(renewed).toBeDefined();
      expect(renewed).not.toBe(me.cookie);
      await expectSessionDead(me); // the old cookie value no longer works …
      const meAfter = await request(t.http).get('/auth/me').set('Cookie', renewed).expect(200); // … the new one does
      expect(meAfter.body.auth.signInId).toBe(signInId);
      const csrf = (await request(t.http).get('/auth/csrf').set('Cookie', renewed).expect(200)).body.csrfToken;
      expect(csrf).not.toBe(me.csrfToken);
      await request(t.http).post('/examples/echo').set('Cookie', renewed).set('X-CSRF-Token', me.csrfToken).send({}).expect(403);
      await request(t.http).post('/examples/echo').set('Cookie', renewed).set('X-CSRF-Token', csrf).send({}).expect(201);
      await expectSessionDead(otherSession);
      await expectFamilyDead(otherTokens);
      await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(401);
      await request(t.http).post('/auth/token').send({ email: user.email, password: NEW_PASSWORD }).expect(200);
    });

    it('from a token: revokes every other sign-in, keeps this family', async () => {
      const user = await createUser(t);
      const otherSession = await loginSession(t, user);
      const otherTokens = await issueTokens(t, user);
      const me = await issueTokens(t, user);
      await request(t.http).post('/auth/password').set(bearer(me.accessToken)).send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(204);
      await expectSessionDead(otherSession);
      await expectFamilyDead(otherTokens);
      await expectFamilyAlive(me);
      await refresh(t, me.refreshToken).expect(200);
    });

    it.each([
      ['a wrong current password', { currentPassword: 'not my password', newPassword: 'another passphrase' }, 401, /Current password is incorrect/],
      ['a too-short new password', { newPassword: 'short' }, 400, /at least 8 characters/],
      ['the same password again', {}, 400, /must differ/],
      ['a missing field', { newPassword: undefined }, 400, /newPassword/],
      ['an unknown field', { admin: true }, 400, /property admin should not exist/],
    ])('refuses %s and changes nothing', async (_name, patch, status, message) => {
      const user = await createUser(t);
      const other = await loginSession(t, user);
      const me = await issueTokens(t, user);
      const body = { currentPassword: user.password, newPassword: user.password, ...patch };
      const res = await request(t.http).post('/auth/password').set(bearer(me.accessToken)).send(body).expect(status);
      expect(JSON.stringify(res.body.message)).toMatch(message);
      await expectSessionAlive(other);
      await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(200);
    });

    it('needs the CSRF token when cookie-authenticated', async () => {
      const user = await createUser(t);
      const me = await loginSession(t, user);
      await request(t.http).post('/auth/password').set('Cookie', me.cookie).send({ currentPassword: user.password, newPassword: NEW_PASSWORD }).expect(403);
      await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(200);
    });
  });

  describe('disabling a user', () => {
    it('ends every sign-in of both kinds at once and refuses new ones', async () => {
      const user = await createUser(t);
      const s = await loginSession(t, user);
      const p = await issueTokens(t, user);
      const entity = (await t.app.get(UsersService).findById(user.id))!;
      await t.app.get(AccountStatusService).disable(entity);
      await expectSessionDead(s);
      await expectFamilyDead(p);
      await request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password }).expect(401);
      await request(t.http).post('/auth/token').send({ email: user.email, password: user.password }).expect(401);
      await t.app.get(AccountStatusService).enable(entity);
      await loginSession(t, user);
    });
  });
});
