import request from 'supertest';
import { GOOD_PASSWORD, uniqueEmail } from './utils/factories';
import { startTestApp, TestApp } from './utils/test-app';

describe('POST /auth/register', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const countUsers = async (email: string) =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM auth_users WHERE email = $1', [email.trim().toLowerCase()]))[0].n);

  it('creates a user with a normalised email and returns it without any secret', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await request(t.http)
      .post('/auth/register')
      .send({ email: `  ${email.toUpperCase()}  `, password: GOOD_PASSWORD, displayName: '  Ada  ' })
      .expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: email.toLowerCase(),
      displayName: 'Ada',
      roles: ['user'],
      emailVerified: false,
      createdAt: expect.any(String),
    });
    const [row] = await t.sql<{ password_hash: string }>('SELECT password_hash FROM auth_users WHERE id = $1', [res.body.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(GOOD_PASSWORD);
  });

  it('answers 409 for an email already taken in another case or with spaces', async () => {
    const email = uniqueEmail();
    await request(t.http).post('/auth/register').send({ email, password: GOOD_PASSWORD }).expect(201);
    const res = await request(t.http)
      .post('/auth/register')
      .send({ email: ` ${email.toUpperCase()} `, password: GOOD_PASSWORD })
      .expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(await countUsers(email)).toBe(1);
  });

  it('lets exactly one of several concurrent registrations of one email succeed', async () => {
    const email = uniqueEmail('race');
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(t.http).post('/auth/register').send({ email, password: GOOD_PASSWORD }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    expect(await countUsers(email)).toBe(1);
  });

  it('accepts a 128-character password counted in characters, not bytes', async () => {
    const email = uniqueEmail();
    await request(t.http).post('/auth/register').send({ email, password: '🔑'.repeat(128) }).expect(201);
  });

  describe('refuses bad input with a clear 4xx and creates nothing', () => {
    const email = uniqueEmail('bad');
    const cases: Array<[string, (r: request.Test) => request.Test, number, RegExp]> = [
      ['wrong types', (r) => r.send({ email: 42, password: 12345678 }), 400, /email must be an email address/],
      ['a missing password', (r) => r.send({ email }), 400, /password must be a string/],
      ['a password of 7 characters', (r) => r.send({ email, password: 'short12' }), 400, /at least 8 characters/],
      ['a password of 129 characters', (r) => r.send({ email, password: 'x'.repeat(129) }), 400, /at most 128 characters/],
      ['an unknown field such as roles', (r) => r.send({ email, password: GOOD_PASSWORD, roles: ['admin'] }), 400, /property roles should not exist/],
      ['an invalid email', (r) => r.send({ email: 'not-an-email', password: GOOD_PASSWORD }), 400, /email must be an email address/],
      ['control characters in displayName', (r) => r.send({ email, password: GOOD_PASSWORD, displayName: 'a\u0007b' }), 400, /control characters/],
      ['malformed JSON', (r) => r.set('Content-Type', 'application/json').send(`{"email":"${email}",`), 400, /JSON/],
      ['a JSON array body', (r) => r.send([{ email, password: GOOD_PASSWORD }]), 400, /.+/],
      ['a JSON string body', (r) => r.set('Content-Type', 'application/json').send('"hello"'), 400, /.+/],
      ['a form body', (r) => r.type('form').send({ email, password: GOOD_PASSWORD }), 415, /application\/json/],
      ['a text body', (r) => r.set('Content-Type', 'text/plain').send(`${email} ${GOOD_PASSWORD}`), 415, /application\/json/],
      ['no body at all', (r) => r, 415, /application\/json/],
      [
        'a 2 MB body',
        (r) => r.send({ email, password: GOOD_PASSWORD, displayName: 'x'.repeat(2 * 1024 * 1024) }),
        413,
        /too large/,
      ],
    ];
    it.each(cases)('%s', async (_name, build, status, message) => {
      const res = await build(request(t.http).post('/auth/register'));
      expect(res.status).toBe(status);
      expect(res.body.statusCode).toBe(status);
      expect(JSON.stringify(res.body.message)).toMatch(message);
      expect(JSON.stringify(res.body)).not.toMatch(/at .+\.(js|ts):\d+/); // no stack trace
      expect(await countUsers(email)).toBe(0);
    });
  });
});
