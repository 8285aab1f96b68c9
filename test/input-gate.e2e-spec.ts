import request from 'supertest';
import { createUser, TestUser } from './utils/auth-helpers';
import { GOOD_PASSWORD, uniqueEmail } from './utils/factories';
import { rowCounts } from './utils/rows';
import { issueTokens } from './utils/token-helpers';
import { startTestApp, TestApp } from './utils/test-app';

/** A JSON body as raw bytes, so tests can send what a JSON library would never produce. */
const raw = (text: string | Buffer) => (r: request.Test) =>
  r.set('Content-Type', 'application/json').serialize((b: Buffer) => b as unknown as string).send(Buffer.from(text));
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('the input gate (every JSON body, before any handler)', () => {
  let t: TestApp;
  let user: TestUser;
  let access: string;
  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t, { prefix: 'gate-owner' });
    access = (await issueTokens(t, user)).accessToken;
  });
  afterAll(() => t.close());

  const endpoints: Array<[string, (t: TestApp) => request.Test]> = [
    ['POST /auth/register', (t) => request(t.http).post('/auth/register')],
    ['POST /auth/session/login', (t) => request(t.http).post('/auth/session/login')],
    ['POST /auth/token', (t) => request(t.http).post('/auth/token')],
    ['POST /auth/token/refresh', (t) => request(t.http).post('/auth/token/refresh')],
    ['POST /auth/token/revoke', (t) => request(t.http).post('/auth/token/revoke')],
    ['POST /auth/password', (t) => request(t.http).post('/auth/password').set('Authorization', `Bearer ${access}`)],
    ['POST /examples/echo', (t) => request(t.http).post('/examples/echo').set('Authorization', `Bearer ${access}`)],
  ];
  const email = () => uniqueEmail('gate');
  const bodies: Array<[string, (r: request.Test) => request.Test, RegExp]> = [
    ['NUL in the email', (r) => r.send({ email: `a\u0000${email()}`, password: GOOD_PASSWORD }), /^email must not contain NUL/],
    ['NUL in a nested field', (r) => r.send({ email: email(), password: GOOD_PASSWORD, meta: { notes: ['ok', 'x\u0000'] } }), /^meta\.notes\[1\] must not contain NUL/],
    ['an unpaired high surrogate in the password', (r) => r.send({ email: email(), password: 'horse battery \ud800 staple' }), /^password must be valid Unicode/],
    ['an unpaired low surrogate in the password', (r) => r.send({ email: email(), password: 'horse battery \udfff staple' }), /^password must be valid Unicode/],
    ['bytes that are not UTF-8 in the email', raw(Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe]), Buffer.from(`b@x.io","password":"${GOOD_PASSWORD}"}`)])), /^email is not valid UTF-8/],
    ['a __proto__ key', raw(`{"email":"${email()}","password":"${GOOD_PASSWORD}","__proto__":{"roles":["admin"]}}`), /property __proto__ is not allowed/],
    ['a nested constructor key', (r) => r.send({ email: email(), password: GOOD_PASSWORD, x: { constructor: { prototype: 1 } } }), /property x\.constructor is not allowed/],
    ['a prototype key', (r) => r.send({ prototype: 1 }), /property prototype is not allowed/],
    ['JSON nested 10,000 levels (60 kB)', raw(nested(10_000)), /nested deeper than 32 levels/],
    ['JSON nested 33 levels', raw(`{"a":${nested(32)}}`), /nested deeper than 32 levels/],
  ];

  describe.each(endpoints)('%s', (_name, endpoint) => {
    it.each(bodies)('%s → 400 naming the field, and nothing stored changes', async (_what, build, message) => {
      const scope = { emailMarker: 'gate-', userIds: [user.id] };
      const before = await rowCounts(t, scope);
      const res = await build(endpoint(t));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const messages = ([] as string[]).concat(res.body.message);
      expect(messages.some((m) => message.test(m))).toBe(true);
      expect(JSON.stringify(res.body)).not.toMatch(/at .+\.(js|ts):\d+/);
      expect(await rowCounts(t, scope)).toEqual(before);
    });
  });

  it('lets 32 levels of nesting through to the handler', async () => {
    const res = await request(t.http).post('/examples/echo').set('Authorization', `Bearer ${access}`).set('Content-Type', 'application/json').send(`{"a":${nested(31)}}`);
    expect(res.status).toBe(201);
  });

  it('keeps real non-ASCII text intact: astral characters, a real U+FFFD, and an escaped slash', async () => {
    const password = 'horse 🐎 battery \ufffd staple';
    const e = uniqueEmail('ünïcode');
    await request(t.http).post('/auth/register').send({ email: e, password, displayName: 'Zoë 🚀' }).expect(201);
    await request(t.http).post('/auth/token').send({ email: e, password }).expect(200);
  });

  it('two passwords differing only in an unpaired surrogate can no longer sign in as each other', async () => {
    // Before the gate, both were stored and verified as "horse battery \ufffd staple".
    const e = uniqueEmail('surrogate');
    await request(t.http).post('/auth/register').send({ email: e, password: 'horse battery \ufffd staple' }).expect(201);
    for (const password of ['horse battery \ud800 staple', 'horse battery \udfff staple']) {
      await request(t.http).post('/auth/token').send({ email: e, password }).expect(400);
      await request(t.http).post('/auth/session/login').send({ email: e, password }).expect(400);
    }
  });

  it('an email with bytes that are not UTF-8 can no longer collide with one holding a real U+FFFD', async () => {
    const local = `u${Date.now()}`;
    await request(t.http).post('/auth/register').send({ email: `${local}\ufffd@example.com`, password: GOOD_PASSWORD }).expect(201);
    const res = await raw(Buffer.concat([Buffer.from(`{"email":"${local}`), Buffer.from([0xc3]), Buffer.from(`@example.com","password":"${GOOD_PASSWORD}"}`)]))(
      request(t.http).post('/auth/register'),
    );
    expect(res.status).toBe(400);
  });
});
