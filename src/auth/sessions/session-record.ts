import type { Request } from 'express';
import type { AuthUser } from '../auth.types';

/** express-session's serialised session: arbitrary JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeORM's partial-entity types reject `unknown` values
export type SessionJson = Record<string, any>;

/** What a signed-in session carries in `req.session.auth`. */
export interface SessionAuth {
  user: AuthUser;
  /** Opaque, public id of this sign-in (the ledger shows it; it is not the cookie value). */
  signInId: string;
  /** Synchronizer token for cookie-authenticated unsafe requests. */
  csrfToken: string;
  /** `rememberMe`: a persistent cookie; false: a browser-session cookie (absent in older sessions: persistent). */
  persistent?: boolean;
  /** Epoch ms of the last authentication (login, reauthenticate, password change): what `fresh` routes check. */
  authenticatedAt?: number;
}

const SESSION_AUTH = Symbol('nda.sessionAuth');
type WithSessionAuth = Request & { [SESSION_AUTH]?: SessionAuth };

/** The request's signed-in session: from express-session when it ran, else from the hot-path read. */
export function sessionAuthOf(req: Request): SessionAuth | undefined {
  return req.session ? req.session.auth : (req as WithSessionAuth)[SESSION_AUTH];
}

export function attachSessionAuth(req: Request, auth: SessionAuth): void {
  (req as WithSessionAuth)[SESSION_AUTH] = auth;
}

/** A stored session as both backends keep it. `sidHash` is SHA-256(session id). */
export interface SessionRecord {
  sidHash: string;
  publicId: string;
  userId: string;
  /** express-session's serialised session (cookie options + `auth`). */
  data: SessionJson;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  userAgent: string | null;
  ip: string | null;
}

/** The storage a session backend provides; `SessionStore` adapts it to express-session. */
export interface SessionBackend {
  /** Inserts a new session (only ever called at login). */
  create(record: SessionRecord): Promise<void>;
  /** The live session (not expired at `now`, not revoked), or null. */
  findLive(sidHash: string, now: number): Promise<SessionRecord | null>;
  /** Replaces the data of an existing session; never creates one (no resurrection after logout). */
  updateData(sidHash: string, data: SessionJson): Promise<void>;
  /** Records activity: last seen = now, idle expiry slides (capped by the absolute expiry). */
  touch(sidHash: string, now: number, idleTtlMs: number): Promise<void>;
  remove(sidHash: string): Promise<void>;
  /** The user's live sessions, newest first. */
  listForUser(userId: string, now: number): Promise<SessionRecord[]>;
  /** Ends one of the user's sessions by its public id; false when the user has no such session. */
  removeForUser(userId: string, publicId: string): Promise<boolean>;
  /** Ends every session of the user except `exceptPublicId`. */
  removeAllForUser(userId: string, exceptPublicId?: string): Promise<void>;
  /**
   * Replaces the user that each of the user's live sessions carries (after a profile or email
   * change), touching nothing else. Never creates a session.
   */
  updateUserForUser(userId: string, user: AuthUser): Promise<void>;
  /** Deletes sessions past either deadline (or revoked); returns how many. */
  pruneExpired(now: number): Promise<number>;
  /** Cheap liveness probe for /health. */
  ping(): Promise<void>;
}

export const SESSION_BACKEND = Symbol('SESSION_BACKEND');
