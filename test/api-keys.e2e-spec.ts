import { Body, Controller, Module, Post } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { Auth, AuthContext, CurrentAuth, Scopes } from '../src/index';
import { createUser, loginSession, TestUser } from './utils/auth-helpers';
import { issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';

// docs/API.md § "API keys (a third strategy)": every row, on PGlite, PostgreSQL and Redis sessions.

/** A host route that takes a JWT or an API key with a scope — and unsafe, to show no CSRF is asked of keys. */
@Controller('reports')
class ReportsController {
  @Post()
  @Auth('session', 'jwt', 'apiKey')
  @Scopes('reports:write')
  create(@CurrentAuth() auth: AuthContext, @Body() body: Record<string, unknown>) {
    return { strategy: auth.strategy, scopes: auth.scopes ?? null, body };
  }
}

@Module({ controllers: [ReportsController] })
class ReportsModule {}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('API keys', () => {
  let t: TestApp;
  let user: TestUser;
  let access: string;

  beforeAll(async () => {
    t = await startTestApp({}, [ReportsModule]);
    user = await createUser(t);
    access = (await issueTokens(t, user)).accessToken;
  });
  afterAll(() => t.close());

  const createKey = (body: object, token = access) => request(t.http).post('/auth/api-keys').set(bearer(token)).send(body);

  it('POST creates a key shown once; only its hash and prefix are stored; GET lists it without the key', async () => {
    const res = await createKey({ name: '  nightly export ', scopes: ['examples:read', 'examples:read', 'reports:read'], expiresIn: '90d' }).expect(201);
    const { key, ...view } = res.body;
    expect(key).toMatch(/^nda_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);
    expect(view).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'nightly export',
      scopes: ['examples:read', 'reports:read'],
      prefix: key.slice(0, 12),
      createdAt: expect.any(String),
      lastUsedAt: null,
      expiresAt: expect.any(String),
    });
    expect(Math.round((Date.parse(view.expiresAt) - Date.parse(view.createdAt)) / 86_400_000)).toBe(90);
    const [row] = await t.sql<{ hash: string; prefix: string }>('SELECT hash, prefix FROM auth_api_keys WHERE id = $1', [view.id]);
    expect(row).toEqual({ hash: sha256(key), prefix: key.slice(0, 12) });
    const list = await request(t.http).get('/auth/api-keys').set(bearer(access)).expect(200);
    expect(list.body).toContainEqual(view);
    expect(JSON.stringify(list.body)).not.toContain(key.slice(12));
    expect(JSON.stringify(list.body)).not.toContain(row.hash);
  });

  it('without expiresIn a key lives API_KEY_MAX_TTL (365 days)', async () => {
    const { body } = await createKey({ name: 'default expiry', scopes: [] }).expect(201);
    expect(Math.round((Date.parse(body.expiresAt) - Date.parse(body.createdAt)) / 86_400_000)).toBe(365);
  });

  it('refuses bad input with 400 and creates nothing', async () => {
    const before = await t.sql('SELECT count(*)::int AS n FROM auth_api_keys WHERE user_id = $1', [user.id]);
    for (const body of [
      {},
      { name: '', scopes: [] },
      { name: 'x', scopes: 'reports:read' },
      { name: 'x', scopes: ['Reports:Read'] },
      { name: 'x', scopes: ['has space'] },
      { name: 'x', scopes: Array.from({ length: 51 }, (_, i) => `s${i}`) },
      { name: 'x', scopes: [], expiresIn: '400d' },
      { name: 'x', scopes: [], expiresIn: 'soon' },
      { name: 'x', scopes: [], expiresIn: '30s' },
      { name: 'x', scopes: [], userId: user.id },
      { name: 'a\u0000b', scopes: [] },
    ]) {
      expect([JSON.stringify(body).slice(0, 60), (await createKey(body)).status]).toEqual([JSON.stringify(body).slice(0, 60), 400]);
    }
    expect(await t.sql('SELECT count(*)::int AS n FROM auth_api_keys WHERE user_id = $1', [user.id])).toEqual(before);
  });

  it('needs a fresh session or JWT sign-in to create: 403 reauthentication_required otherwise; keys cannot manage keys', async () => {
    const other = await createUser(t);
    const pair = await issueTokens(t, other);
    const sid = JSON.parse(Buffer.from(pair.accessToken.split('.')[1], 'base64url').toString()).sid;
    await t.sql(`UPDATE auth_refresh_families SET authenticated_at = now() - interval '1 hour' WHERE id = $1`, [sid]);
    expect((await createKey({ name: 'stale', scopes: [] }, pair.accessToken).expect(403)).body.code).toBe('reauthentication_required');
    await request(t.http).post('/auth/reauthenticate').set(bearer(pair.accessToken)).send({ password: other.password }).expect(204);
    const { key } = (await createKey({ name: 'fresh', scopes: [] }, pair.accessToken).expect(201)).body;
    // An API key is not accepted for managing keys (nor for anything but routes that take keys).
    const refused = await request(t.http).get('/auth/api-keys').set(bearer(key)).expect(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(refused.body.message).toMatch(/API keys are not accepted/);
    await request(t.http).get('/auth/api-keys').set('X-API-Key', key).expect(401);
    await request(t.http).post('/auth/api-keys').send({ name: 'anon', scopes: [] }).expect(401);
    // A session needs its CSRF token, as for any unsafe request.
    const s = await loginSession(t, other);
    await request(t.http).post('/auth/api-keys').set('Cookie', s.cookie).send({ name: 'no csrf', scopes: [] }).expect(403);
    await request(t.http).post('/auth/api-keys').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrfToken).send({ name: 'session', scopes: [] }).expect(201);
  });

  it('authenticates as Authorization: Bearer nda_… or X-API-Key on routes that take keys, within its scopes', async () => {
    const { key } = (await createKey({ name: 'reader', scopes: ['examples:read'] }).expect(201)).body;
    for (const creds of [bearer(key), { 'X-API-Key': key }]) {
      expect((await request(t.http).get('/examples/api-key').set(creds).expect(200)).body).toEqual({ strategy: 'apiKey' });
    }
    const { key: noScope } = (await createKey({ name: 'no scope', scopes: ['reports:read'] }).expect(201)).body;
    const refused = await request(t.http).get('/examples/api-key').set('X-API-Key', noScope).expect(403);
    expect(refused.body.code).toBe('insufficient_scope');
    expect(refused.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="examples:read"');
    // Other credentials on a keys-only route: 401. A key on a JWT-only route: 401 that says why.
    await request(t.http).get('/examples/api-key').set(bearer(access)).expect(401);
    await request(t.http).get('/examples/api-key').expect(401);
    expect((await request(t.http).get('/examples/jwt').set(bearer(key)).expect(401)).body.message).toMatch(/API keys are not accepted/);
  });

  it('scopes limit keys only: a JWT caller passes a scoped route; a key needs the scope; no CSRF token is asked of keys', async () => {
    const { key: writer } = (await createKey({ name: 'writer', scopes: ['reports:write'] }).expect(201)).body;
    const { key: reader } = (await createKey({ name: 'reader', scopes: ['reports:read'] }).expect(201)).body;
    expect((await request(t.http).post('/reports').set(bearer(access)).send({ n: 1 }).expect(201)).body).toEqual({ strategy: 'jwt', scopes: null, body: { n: 1 } });
    expect((await request(t.http).post('/reports').set('X-API-Key', writer).send({ n: 2 }).expect(201)).body).toEqual({
      strategy: 'apiKey',
      scopes: ['reports:write'],
      body: { n: 2 },
    });
    expect((await request(t.http).post('/reports').set(bearer(reader)).send({}).expect(403)).body.code).toBe('insufficient_scope');
    // A session cookie beside the key: the header decides, and keys need no CSRF token.
    const s = await loginSession(t, user);
    await request(t.http).post('/reports').set('Cookie', s.cookie).set('X-API-Key', writer).send({ n: 3 }).expect(201);
    await request(t.http).post('/reports').set('Cookie', s.cookie).send({}).expect(403); // the session alone: CSRF
  });

  it('refuses malformed keys and wrong checksums without a database query; unknown well-formed keys with one lookup', async () => {
    const { key } = (await createKey({ name: 'checksum', scopes: ['examples:read'] }).expect(201)).body as { key: string };
    const typo = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
    const pool = (t.dataSource.driver as unknown as { master: { query: (...args: unknown[]) => unknown } }).master;
    const queries = jest.spyOn(pool, 'query');
    try {
      for (const bad of [typo, 'nda_short', `nda_${'x'.repeat(43)}_xxxxxx`]) {
        queries.mockClear();
        const res = await request(t.http).get('/examples/api-key').set('X-API-Key', bad).expect(401);
        expect(res.body.code).toBe('token_invalid');
        expect(queries).not.toHaveBeenCalled();
      }
      // A well-formed key nobody holds (revoked): exactly one lookup.
      const { key: gone, id } = (await createKey({ name: 'gone', scopes: ['examples:read'] }).expect(201)).body;
      await request(t.http).delete(`/auth/api-keys/${id}`).set(bearer(access)).expect(204);
      queries.mockClear();
      await request(t.http).get('/examples/api-key').set('X-API-Key', gone).expect(401);
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
  });

  it('DELETE revokes at once; 404 for a key that is not the caller’s', async () => {
    const { key, id } = (await createKey({ name: 'to revoke', scopes: ['examples:read'] }).expect(201)).body;
    const stranger = await createUser(t);
    const strangerToken = (await issueTokens(t, stranger)).accessToken;
    await request(t.http).delete(`/auth/api-keys/${id}`).set(bearer(strangerToken)).expect(404);
    await request(t.http).delete('/auth/api-keys/not-a-uuid').set(bearer(access)).expect(404);
    await request(t.http).get('/examples/api-key').set('X-API-Key', key).expect(200);
    await request(t.http).delete(`/auth/api-keys/${id}`).set(bearer(access)).expect(204);
    await request(t.http).get('/examples/api-key').set('X-API-Key', key).expect(401);
    await request(t.http).delete(`/auth/api-keys/${id}`).set(bearer(access)).expect(404);
    expect((await request(t.http).get('/auth/api-keys').set(bearer(access))).body.map((k: { id: string }) => k.id)).not.toContain(id);
  });

  it('under concurrent load, every request sent after the revocation answered is refused', async () => {
    const { key, id } = (await createKey({ name: 'busy', scopes: ['examples:read'] }).expect(201)).body;
    const results: Array<{ sentAt: number; status: number }> = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const sentAt = performance.now();
        const res = await request(t.http).get('/examples/api-key').set('X-API-Key', key);
        results.push({ sentAt, status: res.status });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 150));
    await request(t.http).delete(`/auth/api-keys/${id}`).set(bearer(access)).expect(204);
    const revokedAt = performance.now();
    await new Promise((r) => setTimeout(r, 150));
    stop = true;
    await Promise.all(workers);
    const before = results.filter((r) => r.sentAt < revokedAt);
    const after = results.filter((r) => r.sentAt > revokedAt);
    expect(before.filter((r) => r.status === 200).length).toBeGreaterThan(8);
    expect(after.length).toBeGreaterThan(8);
    expect(after.filter((r) => r.status !== 401)).toEqual([]);
  });

  it('a key dies with its user (disabled, deleted), survives a password change, and stops at its expiry', async () => {
    const owner = await createUser(t);
    let token = (await issueTokens(t, owner)).accessToken;
    const make = async (name: string) => (await createKey({ name, scopes: ['examples:read'] }, token).expect(201)).body as { key: string; id: string };
    const k = await make('survivor');
    await request(t.http).post('/auth/password').set(bearer(token)).send({ currentPassword: owner.password, newPassword: 'another long passphrase here' }).expect(204);
    await request(t.http).get('/examples/api-key').set('X-API-Key', k.key).expect(200);

    const expiring = await make('expiring');
    await t.sql(`UPDATE auth_api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.id]);
    await request(t.http).get('/examples/api-key').set('X-API-Key', expiring.key).expect(401);
    expect((await request(t.http).get('/auth/api-keys').set(bearer(token))).body.map((x: { id: string }) => x.id)).toContain(expiring.id);

    await t.sql('UPDATE auth_users SET disabled_at = now() WHERE id = $1', [owner.id]);
    await request(t.http).get('/examples/api-key').set('X-API-Key', k.key).expect(401);
    await t.sql('UPDATE auth_users SET disabled_at = NULL WHERE id = $1', [owner.id]);
    await request(t.http).get('/examples/api-key').set('X-API-Key', k.key).expect(200);

    token = (await issueTokens(t, { email: owner.email, password: 'another long passphrase here' })).accessToken;
    await request(t.http).delete('/auth/me').set(bearer(token)).expect(204);
    await request(t.http).get('/examples/api-key').set('X-API-Key', k.key).expect(401);
    expect(await t.sql('SELECT 1 FROM auth_api_keys WHERE user_id = $1', [owner.id])).toEqual([]);
  });

  it('writes lastUsedAt on use, at most once a minute', async () => {
    const { key, id } = (await createKey({ name: 'used', scopes: ['examples:read'] }).expect(201)).body;
    const lastUsed = async () => (await t.sql<{ last_used_at: Date | null }>('SELECT last_used_at FROM auth_api_keys WHERE id = $1', [id]))[0].last_used_at;
    await Promise.all(Array.from({ length: 10 }, () => request(t.http).get('/examples/api-key').set('X-API-Key', key).expect(200)));
    let first: Date | null = null;
    for (let i = 0; i < 50 && !first; i++) {
      first = await lastUsed();
      if (!first) await new Promise((r) => setTimeout(r, 20));
    }
    expect(first).not.toBeNull();
    await request(t.http).get('/examples/api-key').set('X-API-Key', key).expect(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastUsed()).toEqual(first);
    expect((await request(t.http).get('/auth/api-keys').set(bearer(access))).body.find((k: { id: string }) => k.id === id).lastUsedAt).toBe(first!.toISOString());
  });
});
