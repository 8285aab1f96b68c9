import { TurnBatcher } from '../../database/turn-batcher';
import type { RedisClient } from '../../redis/redis.module';
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

/**
 * Sessions in Redis: a hash per session (`nda:sess:<sha256(sid)>`) that Redis expires at the idle
 * or absolute deadline, whichever is first, and a per-user sorted set of session hashes
 * (`nda:user-sessions:<userId>`, scored by absolute expiry) so a user's sign-ins can be listed and
 * revoked. connect-redis was not used: its `set` upserts, which resurrects a session destroyed
 * while a slow request was in flight, and it keeps no per-user index.
 */
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

export class RedisSessionsRepository implements SessionBackend {
  /** Session reads of one event-loop turn, sent to Redis together (one socket write). */
  private readonly liveLookups = new TurnBatcher(async (sidHashes: string[]) => {
    const found = await Promise.all(sidHashes.map((h) => this.redis.hGetAll(KEY(h))));
    return new Map(sidHashes.map((h, i) => [h, found[i]]));
  });

  constructor(private readonly redis: RedisClient) {}

  async create(r: SessionRecord): Promise<void> {
    const key = KEY(r.sidHash);
    await this.redis
      .multi()
      .hSet(key, {
        publicId: r.publicId,
        userId: r.userId,
        data: JSON.stringify(r.data),
        createdAt: String(r.createdAt),
        lastSeenAt: String(r.lastSeenAt),
        idleExpiresAt: String(r.idleExpiresAt),
        absoluteExpiresAt: String(r.absoluteExpiresAt),
        userAgent: r.userAgent ?? '',
        ip: r.ip ?? '',
      })
      .pExpireAt(key, Math.min(r.idleExpiresAt, r.absoluteExpiresAt))
      .zAdd(USER_INDEX(r.userId), { score: r.absoluteExpiresAt, value: r.sidHash })
      .pExpireAt(USER_INDEX(r.userId), r.absoluteExpiresAt, 'GT')
      .exec();
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
    await this.redis.zRemRangeByScore(index, '-inf', now); // past their absolute expiry
    const hashes = await this.redis.zRange(index, 0, -1);
    if (!hashes.length) return [];
    const multi = this.redis.multi();
    for (const h of hashes) multi.hGetAll(KEY(h));
    const found = (await multi.exec()) as unknown as Array<Record<string, string>>;
    const records: SessionRecord[] = [];
    const gone: string[] = [];
    hashes.forEach((h, i) => {
      const r = live(h, found[i], now);
      if (r) records.push(r);
      else gone.push(h);
    });
    if (gone.length) await this.redis.zRem(index, gone); // idle-expired keys Redis already dropped
    return records.sort((a, b) => b.createdAt - a.createdAt);
  }

  async removeForUser(userId: string, publicId: string): Promise<boolean> {
    const target = (await this.listForUser(userId, Date.now())).find((r) => r.publicId === publicId);
    if (!target) return false;
    await this.remove(target.sidHash);
    return true;
  }

  async removeAllForUser(userId: string, exceptPublicId?: string): Promise<void> {
    const index = USER_INDEX(userId);
    const hashes = await this.redis.zRange(index, 0, -1);
    if (!hashes.length) return;
    const keep = exceptPublicId
      ? (await this.listForUser(userId, Date.now())).find((r) => r.publicId === exceptPublicId)?.sidHash
      : undefined;
    const doomed = hashes.filter((h) => h !== keep);
    if (!doomed.length) return;
    await this.redis
      .multi()
      .del(doomed.map(KEY))
      .zRem(index, doomed)
      .exec();
  }

  async updateData(sidHash: string, data: SessionJson): Promise<void> {
    await this.redis.eval(UPDATE_DATA, { keys: [KEY(sidHash)], arguments: [JSON.stringify(data)] });
  }

  async touch(sidHash: string, now: number, idleTtlMs: number): Promise<void> {
    await this.redis.eval(TOUCH, { keys: [KEY(sidHash)], arguments: [String(now), String(idleTtlMs)] });
  }

  async remove(sidHash: string): Promise<void> {
    const userId = await this.redis.hGet(KEY(sidHash), 'userId');
    const tx = this.redis.multi().del(KEY(sidHash));
    if (userId) tx.zRem(USER_INDEX(userId), sidHash);
    await tx.exec();
  }

  /** Redis expires session keys itself; index entries are trimmed whenever a user's list is read. */
  async pruneExpired(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
