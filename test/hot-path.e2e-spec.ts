import { randomUUID } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import request from 'supertest';
import { AuthContext } from '../src/auth/auth.types';
import { Auth, CurrentAuth } from '../src/auth/decorators/auth.decorators';
import { createUser, loginSession, sleep, TestUser } from './utils/auth-helpers';
import { startTestApp, TestApp, withTestApp } from './utils/test-app';
import { decodePart, issueTokens, signWithTestSecret } from './utils/token-helpers';
import { SESSION_BACKEND, SessionBackend } from '../src/auth/sessions/session-record';
import { hashSessionId } from '../src/auth/sessions/session.store';
import { RefreshTokensRepository } from '../src/auth/tokens/refresh-tokens.repository';
import { TokenService } from '../src/auth/tokens/token.service';
import { createHash } from 'node:crypto';
import { testSessionBackend } from './utils/test-redis';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const backend = testSessionBackend();
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Who the guard says the caller is, on a session route and on a strict JWT route. */
@Controller('whoami')
class WhoAmIController {
  @Get('session') @Auth('session') session(@CurrentAuth() auth: AuthContext) {
    return { userId: auth.user.id, signInId: auth.signInId, roles: auth.user.roles };
  }
  @Get('strict') @Auth('jwt', { strict: true }) strict(@CurrentAuth() auth: AuthContext) {
    return { userId: auth.user.id, signInId: auth.signInId, roles: auth.user.roles };
  }
}
@Module({ controllers: [WhoAmIController] })
class WhoAmIModule {}

/**
 * Session and strict-JWT lookups made in the same event-loop turn share one query
 * (TurnBatcher): under concurrency every caller must still get exactly its own answer.
 */
describe(`hot-path lookups under concurrency (sessions in ${backend})`, () => {
  let t: TestApp;
  let users: TestUser[];
  beforeAll(async () => {
    t = await startTestApp({}, [WhoAmIModule]);
    users = await Promise.all([createUser(t), createUser(t, { roles: ['user', 'admin'] }), createUser(t), createUser(t)]);
  });
  afterAll(() => t.close());

  /** Response i came from users[i % 4]: each its own identity, except `refused`'s, which is a 401. */
  function expectOwnIdentities(responses: request.Response[], expected: { refused: number; code: string }): void {
    responses.forEach((res, i) => {
      const who = i % 4;
      if (who === expected.refused) {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe(expected.code);
      } else {
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ userId: users[who].id, signInId: expect.any(String), roles: users[who].roles });
      }
    });
  }

  it('answers 40 concurrent session requests of four users, one signed out, each with its own identity', async () => {
    const logins = await Promise.all(users.map((u) => loginSession(t, u)));
    await request(t.http).post('/auth/session/logout').set('Cookie', logins[3].cookie).set('X-CSRF-Token', logins[3].csrfToken).expect(204);

    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(t.http).get('/whoami/session').set('Cookie', logins[i % 4].cookie)),
    );
    expectOwnIdentities(responses, { refused: 3, code: 'session_expired' });
  });

  it('answers 40 concurrent strict requests of four sign-ins, one revoked, each with its own identity', async () => {
    const pairs = await Promise.all(users.map((u) => issueTokens(t, u)));
    await request(t.http).post('/auth/token/revoke').send({ refreshToken: pairs[2].refreshToken }).expect(204);

    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(t.http).get('/whoami/strict').set(bearer(pairs[i % 4].accessToken))),
    );
    expectOwnIdentities(responses, { refused: 2, code: 'signin_revoked' });
  });

  it('lookups asked for in the same turn share one query and each gets its own row (or none)', async () => {
    const logins = await Promise.all(users.map((u) => loginSession(t, u)));
    const pairs = await Promise.all(users.map((u) => issueTokens(t, u)));
    await request(t.http).post('/auth/token/revoke').send({ refreshToken: pairs[1].refreshToken }).expect(204);
    const sessions = t.app.get<SessionBackend>(SESSION_BACKEND);
    const families = t.app.get(RefreshTokensRepository);
    const familyIds = pairs.map((p) => decodePart(p.accessToken, 1).sid as string);
    const now = Date.now();

    // All asked synchronously, so each repository sends one query for the lot.
    const [found, roles] = await Promise.all([
      Promise.all([...logins.map((l) => sessions.findLive(hashSessionId(l.sid), now)), sessions.findLive(hashSessionId('no-such-session'), now)]),
      Promise.all([...familyIds.map((id, i) => families.findLiveFamily(id, users[i].id)), families.findLiveFamily(familyIds[0], users[1].id)]),
    ]);
    expect(found.map((r) => r?.userId ?? null)).toEqual([...users.map((u) => u.id), null]);
    expect(roles.map((f) => f?.roles ?? null)).toEqual([users[0].roles, null, users[2].roles, users[3].roles, null]); // revoked; someone else's family
  });

  it('refresh rotations asked for in the same turn share one statement; a token presented twice in it is spent once', async () => {
    const pairs = await Promise.all(users.slice(0, 3).map((u) => issueTokens(t, u)));
    const tokens = t.app.get(TokenService);
    const unknown = 'x'.repeat(43);
    // All asked synchronously: one batch holding A three times, B, C and an unknown token.
    const results = await Promise.allSettled([
      tokens.refresh(pairs[0].refreshToken),
      tokens.refresh(pairs[1].refreshToken),
      tokens.refresh(pairs[0].refreshToken),
      tokens.refresh(pairs[2].refreshToken),
      tokens.refresh(unknown),
      tokens.refresh(pairs[0].refreshToken),
    ]);
    const ok = results.map((r) => (r.status === 'fulfilled' ? r.value.pair : null));
    expect(ok.map((r) => r !== null)).toEqual([true, true, true, true, false, true]);
    // A's three callers get the one successor (grace window); B and C their own, for their users.
    expect(new Set([ok[0]!.refreshToken, ok[2]!.refreshToken, ok[5]!.refreshToken]).size).toBe(1);
    expect(decodePart(ok[0]!.accessToken, 1).sub).toBe(users[0].id);
    expect(decodePart(ok[1]!.accessToken, 1).sub).toBe(users[1].id);
    expect(decodePart(ok[3]!.accessToken, 1).sub).toBe(users[2].id);
    expect((results[4] as PromiseRejectedResult).reason.code).toBe('token_invalid');
    for (const [i, pair] of pairs.entries()) {
      const children = await t.sql('SELECT hash FROM auth_refresh_tokens WHERE parent_hash = $1', [sha256(pair.refreshToken)]);
      expect(children).toHaveLength(1);
      expect((await request(t.http).post('/auth/token/refresh').send({ refreshToken: ok[[0, 1, 3][i]]!.refreshToken })).status).toBe(200);
    }
  });

  it('a strict route sees a revocation at once, even for an access token it accepted a moment before', async () => {
    const pair = await issueTokens(t, users[0]);
    await request(t.http).get('/whoami/strict').set(bearer(pair.accessToken)).expect(200);
    await request(t.http).post('/auth/token/revoke').send({ refreshToken: pair.refreshToken }).expect(204);
    const res = await request(t.http).get('/whoami/strict').set(bearer(pair.accessToken)).expect(401);
    expect(res.body.code).toBe('signin_revoked');
  });

  it('a strict token whose sid is no live sign-in is 401, and does not fail the lookups beside it', async () => {
    const good = await issueTokens(t, users[1]);
    const now = Math.floor(Date.now() / 1000);
    const odd = signWithTestSecret({ sub: users[0].id, sid: randomUUID(), roles: ['user'], iat: now, exp: now + 60, iss: 'nest-dual-auth', aud: 'nest-dual-auth-api', jti: 'x' });
    const [a, b] = await Promise.all([
      request(t.http).get('/whoami/strict').set(bearer(odd)),
      request(t.http).get('/whoami/strict').set(bearer(good.accessToken)),
    ]);
    expect(a.status).toBe(401);
    expect(b.status).toBe(200);
    expect(b.body.userId).toBe(users[1].id);
  });

  it('an access token accepted before (and so remembered as verified) still expires at its exp', async () => {
    // exp has whole-second precision: a 1 s lifetime can leave the first request a few ms. Three
    // seconds leave it two at least; then the test waits for exp itself, read from the token.
    await withTestApp({ JWT_ACCESS_TTL: '3s' }, async (t2) => {
      const user = await createUser(t2);
      const pair = await issueTokens(t2, user);
      await request(t2.http).get('/examples/jwt').set(bearer(pair.accessToken)).expect(200);
      const { exp } = decodePart(pair.accessToken, 1) as { exp: number };
      await sleep(exp * 1000 - Date.now() + 100);
      const res = await request(t2.http).get('/examples/jwt').set(bearer(pair.accessToken)).expect(401);
      expect(res.body.code).toBe('token_expired');
    });
  });
});
