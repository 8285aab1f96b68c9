import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { parse as parseCookie } from 'cookie';
import { unsign } from 'cookie-signature';
import session from 'express-session';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { clientMeta } from '../http/client-meta';
import { AuthUser } from '../auth.types';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { authUserOf } from '../accounts/user.view';
import { attachSessionAuth, SESSION_BACKEND, SessionAuth, SessionBackend, sessionAuthOf } from './session-record';
import { hashSessionId, SessionStore, toPlainSession } from './session.store';

declare module 'express-session' {
  interface SessionData {
    auth?: SessionAuth;
  }
}

/**
 * Cookie sessions on express-session, run per request only where a route needs them (a global
 * session middleware costs ~30% on routes that never use it — docs/STACK-NOTES.md).
 */
@Injectable()
export class SessionService {
  /** `__Host-sid` when cookies are Secure (the prefix pins Path=/ and forbids Domain), else `sid`. */
  readonly cookieName: string;
  readonly store: SessionStore;
  private readonly middleware: RequestHandler;
  private readonly cookieOptions: session.CookieOptions & { secure: boolean };

  constructor(
    @Inject(AUTH_OPTIONS) private readonly config: AuthOptions,
    @Inject(SESSION_BACKEND) readonly backend: SessionBackend,
    private readonly events: AuthEvents,
  ) {
    const { idleTtlMs, absoluteTtlMs, secrets } = config.session;
    this.cookieName = config.cookie.secure ? '__Host-sid' : 'sid';
    this.store = new SessionStore(backend, idleTtlMs, Math.min(60_000, Math.ceil(idleTtlMs / 10)));
    const { secure, sameSite, partitioned } = config.cookie;
    this.cookieOptions = { httpOnly: true, sameSite, path: '/', secure, maxAge: absoluteTtlMs, ...(partitioned && { partitioned: true }) };
    this.middleware = session({
      name: this.cookieName,
      secret: secrets, // the first signs; every entry verifies (rotation)
      store: this.store,
      resave: false,
      saveUninitialized: false, // an anonymous visit never creates a session (nothing to fixate)
      rolling: false,
      unset: 'destroy',
      cookie: this.cookieOptions,
    });
  }

  /** Cheap pre-check: is there a session cookie at all? (No parsing, no store read.) */
  hasCookie(req: Request): boolean {
    return req.headers.cookie?.includes(`${this.cookieName}=`) ?? false;
  }

  /**
   * Hot path for authentication: the signed-in session of this request, read from the store
   * directly — cookie parsed and its signature checked exactly as express-session does, then one
   * store read. express-session's per-request work (session objects, change-detection hashes,
   * response hooks) is left to the requests that change the session: login, logout, renewal.
   */
  async read(req: Request): Promise<SessionAuth | undefined> {
    const existing = this.current(req);
    if (existing) return existing;
    const header = req.headers.cookie;
    if (!header) return undefined;
    const raw = parseCookie(header)[this.cookieName];
    if (!raw?.startsWith('s:')) return undefined;
    let sid: string | false = false;
    for (const secret of this.config.session.secrets) {
      sid = unsign(raw.slice(2), secret);
      if (sid !== false) break;
    }
    if (sid === false) return undefined; // tampered, or signed with a secret no longer configured
    const data = await this.store.readLive(sid);
    const auth = (data?.auth as SessionAuth | undefined) ?? undefined;
    if (auth) attachSessionAuth(req, auth);
    return auth;
  }

  /** Loads `req.session` (one store read) unless already loaded for this request. */
  async load(req: Request, res: Response): Promise<void> {
    if (req.session) return;
    await new Promise<void>((resolve, reject) => this.middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
  }

  /** The signed-in session of this request, if any (after `load`). */
  current(req: Request): SessionAuth | undefined {
    return sessionAuthOf(req);
  }

  /**
   * Signs the user in on this request: a brand-new session id (whatever cookie came in is never
   * adopted: fixation), a fresh CSRF token, and the row/key created with its metadata.
   */
  async establish(req: Request, res: Response, user: AuthUser, { persistent = true } = {}): Promise<SessionAuth> {
    warnIfCookieCannotBeSet(req, this.config.cookie.secure);
    await this.load(req, res);
    await promisify(req.session.regenerate.bind(req.session))();
    const now = Date.now();
    const auth: SessionAuth = { user: authUserOf(user), signInId: randomUUID(), csrfToken: newCsrfToken(), persistent, authenticatedAt: now };
    req.session.auth = auth;
    const { idleTtlMs } = this.config.session;
    // Not remembered: a browser-session cookie, and a sign-in capped at the short lifetime.
    const absoluteTtlMs = persistent ? this.config.session.absoluteTtlMs : Math.min(this.config.shortSignInTtlMs, this.config.session.absoluteTtlMs);
    if (!persistent) req.session.cookie.expires = null;
    const meta = clientMeta(req);
    await this.backend.create({
      sidHash: hashSessionId(req.sessionID),
      publicId: auth.signInId,
      userId: user.id,
      data: toPlainSession(req.session),
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + Math.min(idleTtlMs, absoluteTtlMs),
      absoluteExpiresAt: now + absoluteTtlMs,
      ...meta,
    });
    this.events.emit(AuthEvent.LoginSucceeded, { userId: user.id, kind: 'session', signInId: auth.signInId, ...meta });
    return auth;
  }

  /**
   * Same sign-in, new session id and CSRF token (after a password change): whoever copied the
   * old cookie or token loses it, the user stays signed in.
   */
  async renew(req: Request, res: Response): Promise<SessionAuth> {
    await this.load(req, res);
    const auth = this.current(req);
    const record = auth && (await this.backend.findLive(hashSessionId(req.sessionID), Date.now()));
    if (!auth || !record) throw new Error('renew() needs a live session');
    await promisify(req.session.regenerate.bind(req.session))(); // removes the old id from the store
    // Renewal follows a password proof (a password change): the sign-in is freshly authenticated.
    const renewed: SessionAuth = { ...auth, csrfToken: newCsrfToken(), authenticatedAt: Date.now() };
    req.session.auth = renewed;
    if (auth.persistent === false) req.session.cookie.expires = null; // still a browser-session cookie
    await this.backend.create({ ...record, sidHash: hashSessionId(req.sessionID), data: toPlainSession(req.session) });
    return renewed;
  }

  /** `POST reauthenticate`: this session's last authentication is now (what `fresh` routes check). */
  async markAuthenticated(req: Request, res: Response): Promise<void> {
    await this.load(req, res);
    const auth = this.current(req);
    if (!auth) throw new Error('markAuthenticated() needs a live session');
    req.session.auth = { ...auth, authenticatedAt: Date.now() };
    // Saved now, not when the response ends: the next request must already see it. The store only
    // updates a session that still exists (no resurrection).
    await promisify(req.session.save.bind(req.session))();
  }

  /** Clears the session cookie on this response (the session itself is ended elsewhere). */
  clearCookie(res: Response): void {
    const { httpOnly, sameSite, path, secure } = this.cookieOptions;
    res.clearCookie(this.cookieName, { httpOnly, sameSite, path, secure });
  }

  /** Deletes the session from the store and clears the cookie. */
  async destroy(req: Request, res: Response): Promise<void> {
    const auth = this.current(req);
    await this.load(req, res);
    if (req.session) await promisify(req.session.destroy.bind(req.session))();
    this.clearCookie(res);
    if (auth) this.events.emit(AuthEvent.Logout, { userId: auth.user.id, signInId: auth.signInId });
  }
}

const newCsrfToken = () => randomBytes(32).toString('base64url');

let warnedInsecure = false;

/**
 * A `Secure` cookie is not set on a response over plain HTTP: the login succeeds and the next
 * request is a puzzling 401. Said once per process, naming the settings that fix it.
 */
export function warnIfCookieCannotBeSet(req: Request, secure: boolean): void {
  if (!secure || req.secure || warnedInsecure) return;
  warnedInsecure = true;
  new Logger('AuthModule').warn(
    'A sign-in over plain HTTP: its Secure cookie is not set, so the browser will not send it back (the next request is a 401). ' +
      'Behind a TLS-terminating proxy, set TRUST_PROXY (the module\'s host: `trustProxy` in configureAuthApp) so X-Forwarded-Proto is believed; ' +
      'for local development over HTTP only, set COOKIE_SECURE=false (`cookies.secure: false`).',
  );
}
