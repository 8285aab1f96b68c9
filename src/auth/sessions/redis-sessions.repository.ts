import { TurnBatcher } from '../persistence/turn-batcher';
import type { RedisConnection } from '../persistence/redis-connection';
import type { AuthUser } from '../auth.types';
import { SessionBackend, SessionJson, SessionRecord } from './session-record';

const KEY = (sidHash: string) => `nda:sess:${sidHash}`;
const USER_INDEX = (userId: string) => `nda:user-sessions:${userId}`;

// Writes that must not bring a destroyed session back: they only apply while the key exists.
const UPDATE_DATA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1])
return 1`;
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local absolute = tonumber(redis.call('HGET', KEYS[1], 'absoluteExpiresAt'))
local idle = math.min(tonumber(ARGV[1]) + tonumber(ARGV[2]), absolute)
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1], 'idleExpiresAt', tostring(idle))
redis.call('PEXPIREAT', KEYS[1], idle)
return 1`;

// Compare-and-set of a session's data: applies only if nobody changed it since it was read.
const REPLACE_DATA = `
local current = redis.call('HGET', KEYS[1], 'data')
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
return 1`;

/** A stored hash → a record, or null when missing or past either deadline. */
function live(sidHash: string, h: Record<string, string> | undefined, now: number): SessionRecord | null {
  if (!h?.data) return null;
  const record: SessionRecord = {
    sidHash,
    publicId: h.publicId,
    userId: h.userId,
    data: JSON.parse(h.data) as SessionJson,
    createdAt: Number(h.createdAt),
    lastSeenAt: Number(h.lastSeenAt),
    idleExpiresAt: Number(h.idleExpiresAt),
    absoluteExpiresAt: Number(h.absoluteExpiresAt),
    userAgent: h.userAgent || null,
    ip: h.ip || null,
  };
  // Redis expires keys itself; checking again keeps both backends exact to the millisecond.
  return record.idleExpiresAt > now && record.absoluteExpiresAt > now ? record : null;
}

/**
 * Sessions in Redis: a hash per session (`nda:sess:<sha256(sid)>`) that Redis expires at the idle
 * or absolute deadline, whichever is first, and a per-user sorted set of session hashes
 * (`nda:user-sessions:<userId>`, scored by absolute expiry) so a user's sign-ins can be listed and
 * revoked. connect-redis was not used: its `set` upserts, which resurrects a session destroyed
 * while a slow request was in flight, and it keeps no per-user index.
 *
 * No command touches two keys, so the layout works unchanged on a Redis Cluster (where a session
 * and its user's index live in different slots). Where both change, the order makes a failure
 * between the two steps harmless: the index entry is written before the session and removed after
 * it, so a session is never missing from its user's index (revoke-all always finds it); a
 * dangling index entry is trimmed the next time the list is read.
 */
export class RedisSessionsRepository implements SessionBackend {
  /** Session reads of one event-loop turn, sent to Redis together (one socket write). */
  private readonly liveLookups = new TurnBatcher((sidHashes: string[]) =>
    this.redis.run(async (c) => {
      const found = await Promise.all(sidHashes.map((h) => c.hGetAll(KEY(h))));
      return new Map(sidHashes.map((h, i) => [h, found[i]]));
    }),
  );

  constructor(private readonly redis: RedisConnection) {}

  async create(r: SessionRecord): Promise<void> {
    const key = KEY(r.sidHash);
    const index = USER_INDEX(r.userId);
    await this.redis.run(async (c) => {
      await Promise.all([c.zAdd(index, { score: r.absoluteExpiresAt, value: r.sidHash }), c.pExpireAt(index, r.absoluteExpiresAt, 'GT')]);
      await Promise.all([
        c.hSet(key, {
          publicId: r.publicId,
          userId: r.userId,
          data: JSON.stringify(r.data),
          createdAt: String(r.createdAt),
          lastSeenAt: String(r.lastSeenAt),
          idleExpiresAt: String(r.idleExpiresAt),
          absoluteExpiresAt: String(r.absoluteExpiresAt),
          userAgent: r.userAgent ?? '',
          ip: r.ip ?? '',
        }),
        c.pExpireAt(key, Math.min(r.idleExpiresAt, r.absoluteExpiresAt)),
      ]);
    });
  }

  /**
   * Every authenticated session request asks this: lookups from one turn of the event loop go
   * to Redis together (TurnBatcher; node-redis writes commands issued in one tick in one go).
   */
  async findLive(sidHash: string, now: number): Promise<SessionRecord | null> {
    return live(sidHash, await this.liveLookups.load(sidHash), now);
  }

  async listForUser(userId: string, now: number): Promise<SessionRecord[]> {
    const index = USER_INDEX(userId);
    return this.redis.run(async (c) => {
      await c.zRemRangeByScore(index, '-inf', now); // past their absolute expiry
      const hashes = await c.zRange(index, 0, -1);
      const found = await Promise.all(hashes.map((h) => c.hGetAll(KEY(h))));
      const records: SessionRecord[] = [];
      const gone: string[] = [];
      hashes.forEach((h, i) => {
        const r = live(h, found[i], now);
        if (r) records.push(r);
        else gone.push(h);
      });
      if (gone.length) await c.zRem(index, gone); // idle-expired keys Redis already dropped
      return records.sort((a, b) => b.createdAt - a.createdAt);
    });
  }

  async removeForUser(userId: string, publicId: string): Promise<boolean> {
    const target = (await this.listForUser(userId, Date.now())).find((r) => r.publicId === publicId);
    if (!target) return false;
    await this.removeKnown(userId, [target.sidHash]);
    return true;
  }

  async removeAllForUser(userId: string, exceptPublicId?: string): Promise<void> {
    const hashes = await this.redis.run((c) => c.zRange(USER_INDEX(userId), 0, -1));
    if (!hashes.length) return;
    const keep = exceptPublicId
      ? (await this.listForUser(userId, Date.now())).find((r) => r.publicId === exceptPublicId)?.sidHash
      : undefined;
    await this.removeKnown(userId, hashes.filter((h) => h !== keep));
  }

  /**
   * One session at a time (one key per command, as everywhere here): read the data, replace the
   * user in it, write it back only if it did not change meanwhile (else read again).
   */
  async updateUserForUser(userId: string, user: AuthUser): Promise<void> {
    const hashes = await this.redis.run((c) => c.zRange(USER_INDEX(userId), 0, -1));
    await Promise.all(
      hashes.map((h) =>
        this.redis.run(async (c) => {
          for (let attempt = 0; attempt < 5; attempt++) {
            const before = await c.hGet(KEY(h), 'data');
            if (!before) return;
            const data = JSON.parse(before) as SessionJson;
            if (!data.auth) return;
            data.auth.user = user;
            const outcome = await c.eval(REPLACE_DATA, { keys: [KEY(h)], arguments: [before, JSON.stringify(data)] });
            if (outcome !== 0) return;
          }
        }),
      ),
    );
  }

  async updateData(sidHash: string, data: SessionJson): Promise<void> {
    await this.redis.run((c) => c.eval(UPDATE_DATA, { keys: [KEY(sidHash)], arguments: [JSON.stringify(data)] }));
  }

  async touch(sidHash: string, now: number, idleTtlMs: number): Promise<void> {
    await this.redis.run((c) => c.eval(TOUCH, { keys: [KEY(sidHash)], arguments: [String(now), String(idleTtlMs)] }));
  }

  async remove(sidHash: string): Promise<void> {
    const userId = await this.redis.run((c) => c.hGet(KEY(sidHash), 'userId'));
    if (userId) await this.removeKnown(userId, [sidHash]);
    else await this.redis.run((c) => c.del(KEY(sidHash)));
  }

  /** Sessions first, then their index entries (see the class comment). One key per command. */
  private async removeKnown(userId: string, sidHashes: string[]): Promise<void> {
    if (!sidHashes.length) return;
    await this.redis.run(async (c) => {
      await Promise.all(sidHashes.map((h) => c.del(KEY(h))));
      await c.zRem(USER_INDEX(userId), sidHashes);
    });
  }

  /** Redis expires session keys itself; index entries are trimmed whenever a user's list is read. */
  async pruneExpired(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
