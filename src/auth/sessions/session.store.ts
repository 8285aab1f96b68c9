import { createHash } from 'node:crypto';
import session from 'express-session';
import { SessionBackend, SessionJson } from './session-record';

/** Sessions are stored under SHA-256(id): a leaked table or Redis dump holds no usable cookie. */
export function hashSessionId(sid: string): string {
  return createHash('sha256').update(sid).digest('hex');
}

/** Plain JSON of express-session's Session object (drops methods, keeps `cookie`). */
export function toPlainSession(sess: object): SessionJson {
  return JSON.parse(JSON.stringify(sess)) as SessionJson;
}

const MAX_REMEMBERED = 50_000;

/**
 * Adapts a `SessionBackend` (PostgreSQL or Redis) to express-session's Store interface.
 * - `get` returns only live sessions: idle and absolute expiry are enforced here, server-side.
 * - `set` never creates (sessions are created by `SessionService.establish()` at login), so a
 *   slow request finishing after logout cannot write its session back (express-session#632).
 * - `touch` writes at most once per `touchIntervalMs` per session (express-session calls it on
 *   every request that did not change the session).
 */
export class SessionStore extends session.Store {
  private readonly lastWrittenSeen = new Map<string, number>();

  constructor(
    readonly backend: SessionBackend,
    private readonly idleTtlMs: number,
    private readonly touchIntervalMs: number,
  ) {
    super();
  }

  /**
   * The hot path (every session-authenticated request), without express-session's machinery:
   * the live session's data, with activity recorded at most once per touch interval.
   */
  async readLive(sid: string): Promise<SessionJson | null> {
    const sidHash = hashSessionId(sid);
    const now = Date.now();
    const record = await this.backend.findLive(sidHash, now);
    if (!record) return null;
    if (now - Math.max(record.lastSeenAt, this.lastWrittenSeen.get(sidHash) ?? 0) >= this.touchIntervalMs) {
      this.remember(sidHash, now);
      await this.backend.touch(sidHash, now, this.idleTtlMs);
    }
    return record.data;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const sidHash = hashSessionId(sid);
    this.backend.findLive(sidHash, Date.now()).then((record) => {
      if (!record) return callback(null, null);
      this.remember(sidHash, record.lastSeenAt);
      callback(null, record.data as unknown as session.SessionData);
    }, callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    this.backend.updateData(hashSessionId(sid), toPlainSession(sess)).then(() => callback?.(), (err) => callback?.(err));
  }

  override touch(sid: string, _sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const sidHash = hashSessionId(sid);
    const now = Date.now();
    const last = this.lastWrittenSeen.get(sidHash);
    if (last !== undefined && now - last < this.touchIntervalMs) {
      callback?.();
      return;
    }
    this.remember(sidHash, now);
    this.backend.touch(sidHash, now, this.idleTtlMs).then(() => callback?.(), (err) => callback?.(err));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    const sidHash = hashSessionId(sid);
    this.lastWrittenSeen.delete(sidHash);
    this.backend.remove(sidHash).then(() => callback?.(), (err) => callback?.(err));
  }

  private remember(sidHash: string, lastSeenAt: number): void {
    if (this.lastWrittenSeen.size >= MAX_REMEMBERED) this.lastWrittenSeen.clear();
    this.lastWrittenSeen.set(sidHash, lastSeenAt);
  }
}
