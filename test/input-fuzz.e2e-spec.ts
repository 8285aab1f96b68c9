import fc from 'fast-check';
import request from 'supertest';
import { normaliseEmail } from '../src/auth/accounts/email';
import { createUser, TestUser } from './utils/auth-helpers';
import { GOOD_PASSWORD } from './utils/factories';
import { issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';

// Property-based: whatever a client sends to a JSON endpoint, the answer is never a 5xx, and a
// refused request leaves the database as it was.

/** Any single UTF-16 code unit: NUL, controls, lone surrogates, astral halves, plain letters. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const hostileString = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '\ufffd', 'a'.repeat(600), "' OR 1=1 --", '{{7*7}}', '../../etc/passwd'),
);
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'roles', 'email', 'password', 'refreshToken', 'hasOwnProperty', 'toString'));
const leaf = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
/** JSON values up to ~40 levels deep (past the gate's 32), with hostile keys and strings. */
const deepValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 40 },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;
/** A plausible value with one hostile code unit slipped in somewhere. */
const mutated = (plausible: fc.Arbitrary<string>) =>
  fc
    .tuple(plausible, fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udfff', '\ufffd', '\u0007'), codeUnit), fc.nat())
    .map(([s, c, at]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)));
/** A field that may be right, nearly right, or anything at all. */
const field = (plausible: fc.Arbitrary<string>) => fc.oneof(plausible, mutated(plausible), mutated(plausible), hostileString, leaf, deepValue);

/** The body as JSON text (supertest cannot send a bare number or null itself). */
const json = (body: unknown) => JSON.stringify(body) ?? 'null';

describe('fuzzing every JSON endpoint (fast-check)', () => {
  let t: TestApp;
  let user: TestUser;
  let access: string;
  let refreshToken: string;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t, { prefix: 'fuzz-owner' });
    ({ accessToken: access, refreshToken } = await issueTokens(t, user));
  });
  afterAll(() => t.close());

  /** What a refused request must not change: the test user's account and sign-ins. */
  const fingerprint = async () =>
    (
      await t.sql(
        `SELECT u.password_hash, u.email, u.disabled_at,
                (SELECT count(*) FROM auth_sessions s WHERE s.user_id = u.id) AS sessions,
                (SELECT count(*) FROM auth_refresh_families f WHERE f.user_id = u.id AND f.revoked_at IS NULL) AS live_families,
                (SELECT count(*) FROM auth_refresh_tokens r JOIN auth_refresh_families f ON f.id = r.family_id WHERE f.user_id = u.id AND r.spent_at IS NULL) AS unspent
           FROM auth_users u WHERE u.id = $1`,
        [user.id],
      )
    )[0];
  const userExists = async (email: unknown) =>
    typeof email === 'string' && (await t.sql('SELECT 1 FROM auth_users WHERE email = $1', [normaliseEmail(email).replace(/\u0000/g, '')])).length > 0;

  const email = fc.oneof(fc.emailAddress(), fc.constant(' FUZZ-owner@Example.com'), fc.constantFrom('x@y.z'));
  const password = fc.oneof(fc.string({ minLength: 8, maxLength: 20 }), fc.constant(GOOD_PASSWORD));
  const credentials = fc.record({ email: field(email), password: field(password) }, { requiredKeys: [] });
  const withExtras = <T>(base: fc.Arbitrary<T>) =>
    fc.tuple(base, fc.dictionary(key, deepValue, { maxKeys: 2 }), fc.boolean()).map(([b, extra, mix]) => (mix ? { ...extra, ...b } : b));
  const anyBody = fc.oneof(withExtras(credentials), deepValue);

  const endpoints: Array<{ name: string; send: (body: unknown) => request.Test; body: fc.Arbitrary<unknown> }> = [
    { name: 'POST /auth/register', send: (b) => request(t.http).post('/auth/register').set('Content-Type', 'application/json').send(json(b)), body: fc.oneof(withExtras(fc.record({ email: field(email), password: field(password), displayName: field(fc.string()) }, { requiredKeys: [] })), deepValue) },
    { name: 'POST /auth/session/login', send: (b) => request(t.http).post('/auth/session/login').set('Content-Type', 'application/json').send(json(b)), body: anyBody },
    { name: 'POST /auth/token', send: (b) => request(t.http).post('/auth/token').set('Content-Type', 'application/json').send(json(b)), body: anyBody },
    { name: 'POST /auth/token/refresh', send: (b) => request(t.http).post('/auth/token/refresh').set('Content-Type', 'application/json').send(json(b)), body: fc.oneof(withExtras(fc.record({ refreshToken: field(fc.constant('A'.repeat(43))) }, { requiredKeys: [] })), deepValue) },
    { name: 'POST /auth/token/revoke', send: (b) => request(t.http).post('/auth/token/revoke').set('Content-Type', 'application/json').send(json(b)), body: fc.oneof(withExtras(fc.record({ refreshToken: field(fc.string({ minLength: 43, maxLength: 43 })) }, { requiredKeys: [] })), deepValue) },
    { name: 'POST /auth/password', send: (b) => request(t.http).post('/auth/password').set('Authorization', `Bearer ${access}`).set('Content-Type', 'application/json').send(json(b)), body: fc.oneof(withExtras(fc.record({ currentPassword: field(fc.constant('not the password')), newPassword: field(password) }, { requiredKeys: [] })), deepValue) },
    { name: 'POST /examples/echo', send: (b) => request(t.http).post('/examples/echo').set('Authorization', `Bearer ${access}`).set('Content-Type', 'application/json').send(json(b)), body: anyBody },
  ];

  it.each(endpoints.map((e) => [e.name, e] as const))('%s: never a 5xx; a refused body changes nothing', async (_name, endpoint) => {
    await fc.assert(
      fc.asyncProperty(endpoint.body, async (body) => {
        const before = await fingerprint();
        const existedBefore = await userExists((body as { email?: unknown })?.email);
        const res = await endpoint.send(body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body.statusCode).toBe(res.status);
          expect(await fingerprint()).toEqual(before);
          expect(await userExists((body as { email?: unknown })?.email)).toBe(existedBefore);
        }
      }),
      { numRuns: 120 },
    );
    // The test user's own tokens still work: nothing above signed them out.
    await request(t.http).get('/examples/jwt-strict').set('Authorization', `Bearer ${access}`).expect(200);
  }, 120_000);

  it('raw bytes as a JSON body: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const res = await request(t.http)
          .post('/auth/token')
          .set('Content-Type', 'application/json')
          .serialize((b: Buffer) => b as unknown as string)
          .send(Buffer.from(bytes));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
    await request(t.http).post('/auth/token/refresh').send({ refreshToken }).expect(200);
  }, 60_000);
});
