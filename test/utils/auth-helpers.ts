import request from 'supertest';
import { hashSessionId } from '../../src/auth/sessions/session.store';
import { REDIS_CONNECTION, RedisConnection } from '../../src/auth/persistence/redis-connection';
import { toUserView, UserView } from '../../src/auth/accounts/user.view';
import { UsersService } from '../../src/auth/accounts/users.service';
import { GOOD_PASSWORD, uniqueEmail } from './factories';
import { TestApp } from './test-app';

export interface TestUser extends UserView {
  password: string;
}

/** Creates a user directly through the service (so tests can give roles). */
export async function createUser(t: TestApp, opts: { roles?: string[]; password?: string; prefix?: string } = {}): Promise<TestUser> {
  const password = opts.password ?? GOOD_PASSWORD;
  const user = await t.app.get(UsersService).create({ email: uniqueEmail(opts.prefix), password, roles: opts.roles });
  return { ...toUserView(user), password };
}

export interface SessionLogin {
  /** `name=value` for a Cookie header. */
  cookie: string;
  /** The raw (unsigned) session id. */
  sid: string;
  csrfToken: string;
  body: { user: UserView; csrfToken: string };
}

/** The session cookie from a response, as `name=value`, or undefined. */
export function sessionCookieFrom(res: request.Response, name = 'sid'): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = cookies.find((h) => h.startsWith(`${name}=`));
  return c?.split(';')[0];
}

/** `s:<sid>.<signature>` (URL-encoded) → `<sid>`. */
export function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.split('=').slice(1).join('='));
  return value.slice(2, value.lastIndexOf('.'));
}

export async function loginSession(t: TestApp, user: { email: string; password: string }, extraCookie?: string): Promise<SessionLogin> {
  const req = request(t.http).post('/auth/session/login').send({ email: user.email, password: user.password });
  if (extraCookie) req.set('Cookie', extraCookie);
  const res = await req.expect(200);
  const cookie = sessionCookieFrom(res);
  if (!cookie) throw new Error('login set no session cookie');
  return { cookie, sid: sidOf(cookie), csrfToken: res.body.csrfToken, body: res.body };
}

/** What the active backend holds for a session id: the DB row or the Redis hash; null when gone. */
export async function storedSession(t: TestApp, sid: string): Promise<Record<string, unknown> | null> {
  const sidHash = hashSessionId(sid);
  const redis = t.app.get<RedisConnection | null>(REDIS_CONNECTION)?.client;
  if (redis) {
    const h = await redis.hGetAll(`nda:sess:${sidHash}`);
    return Object.keys(h).length ? h : null;
  }
  const [row] = await t.sql('SELECT * FROM auth_sessions WHERE id = $1', [sidHash]);
  return row ?? null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
