import type { RedisConnection } from '../persistence/redis-connection';

export interface Counter {
  count: number;
  /** Milliseconds until this counter's window ends. */
  resetMs: number;
}

/** The keys of one account's back-off state. In Redis they share a hash tag (one cluster slot). */
export interface AttemptKeys {
  failures: string;
  /** Credential checks reserved and not yet resolved. */
  inFlight: string;
  block: string;
  /** Set at the first refusal of a block, so the throttling event is emitted once per block. */
  notified: string;
}

export interface BackoffPolicy {
  /** Failures in the window before back-off starts. */
  maxFailures: number;
  windowMs: number;
  /** First back-off; each further failure doubles it, up to `capMs`. */
  baseMs: number;
  capMs: number;
}

export type Reservation =
  | { allowed: true }
  /**
   * `busy`: no back-off, but as many checks as may still fail are already running — retry in a
   * moment. Otherwise a back-off is running; `firstRefusal` marks its first refusal.
   */
  | { allowed: false; retryAfterMs: number; busy: boolean; firstRefusal: boolean };

/** After `maxFailures` failures, each further one doubles the wait: 30 s, 1 min, 2 min … 15 min. */
export function backoffMs(failures: number, p: BackoffPolicy): number {
  if (failures < p.maxFailures) return 0;
  return Math.min(p.capMs, p.baseMs * 2 ** Math.min(failures - p.maxFailures, 16));
}

/** A reserved check that is never resolved (its process died) stops counting after this. */
export const IN_FLIGHT_TTL_MS = 30_000;
/** Retry-After for a `busy` refusal. */
export const BUSY_RETRY_MS = 1_000;

/**
 * Where throttling state lives. Every operation is one atomic step in the store (one Lua script in
 * Redis, one synchronous block in memory): concurrent requests can never both read "open" and
 * then both count.
 */
export interface CounterStore {
  /** Adds one to `key` (starting a `windowMs` window if none is open) and returns the new state. */
  hit(key: string, windowMs: number): Promise<Counter>;
  /**
   * Reserves one credential check. Refused while a back-off runs, and while the checks already
   * running could on their own use up the failures left before back-off (with none left, one
   * check at a time: the one whose failure starts the next, longer back-off). So however many
   * wrong passwords arrive at once, at most `maxFailures` are checked in the window.
   */
  reserveAttempt(keys: AttemptKeys, policy: BackoffPolicy): Promise<Reservation>;
  /** Resolves a reservation: a failure counts (and may start the back-off), a success clears everything. */
  resolveAttempt(keys: AttemptKeys, policy: BackoffPolicy, outcome: 'failed' | 'succeeded'): Promise<void>;
  /** Gives a reservation back: its password was never checked (the request failed first, e.g. a 503). */
  releaseAttempt(keys: AttemptKeys): Promise<void>;
}

const HIT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

// KEYS: failures, inFlight, block, notified. ARGV: maxFailures, inFlightTtlMs, busyRetryMs.
// Returns {allowed, retryAfterMs, busy, firstRefusal}.
const RESERVE = `
local blocked = redis.call('PTTL', KEYS[3])
if blocked > 0 then
  if redis.call('SET', KEYS[4], '1', 'PX', blocked, 'NX') then return {0, blocked, 0, 1} end
  return {0, blocked, 0, 0}
end
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local running = tonumber(redis.call('GET', KEYS[2]) or '0')
local max = tonumber(ARGV[1])
local limit = 1
if failures < max then limit = max - failures end
if running >= limit then return {0, tonumber(ARGV[3]), 1, 0} end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1, 0, 0, 0}`;

// KEYS: failures, inFlight, block, notified. ARGV: outcome, windowMs, maxFailures, baseMs, capMs.
const RESOLVE = `
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
if ARGV[1] == 'succeeded' then
  redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
  return 0
end
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local max = tonumber(ARGV[3])
if n >= max then
  local wait = math.min(tonumber(ARGV[5]), tonumber(ARGV[4]) * 2 ^ math.min(n - max, 16))
  redis.call('SET', KEYS[3], '1', 'PX', math.floor(wait))
  redis.call('DEL', KEYS[4])
end
return n`;

// KEYS: inFlight.
const RELEASE = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1`;

const keyList = (k: AttemptKeys) => [k.failures, k.inFlight, k.block, k.notified];

/** Shared by every instance: counters in Redis (when `REDIS_URL` is set). */
export class RedisCounterStore implements CounterStore {
  constructor(private readonly redis: RedisConnection) {}

  async hit(key: string, windowMs: number): Promise<Counter> {
    const [count, resetMs] = (await this.redis.run((c) => c.eval(HIT, { keys: [key], arguments: [String(windowMs)] }))) as [number, number];
    return { count, resetMs };
  }

  async reserveAttempt(keys: AttemptKeys, p: BackoffPolicy): Promise<Reservation> {
    const args = [p.maxFailures, IN_FLIGHT_TTL_MS, BUSY_RETRY_MS].map(String);
    const [allowed, retryAfterMs, busy, firstRefusal] = (await this.redis.run((c) => c.eval(RESERVE, { keys: keyList(keys), arguments: args }))) as number[];
    return allowed ? { allowed: true } : { allowed: false, retryAfterMs, busy: busy === 1, firstRefusal: firstRefusal === 1 };
  }

  async resolveAttempt(keys: AttemptKeys, p: BackoffPolicy, outcome: 'failed' | 'succeeded'): Promise<void> {
    const args = [outcome, p.windowMs, p.maxFailures, p.baseMs, p.capMs].map(String);
    await this.redis.run((c) => c.eval(RESOLVE, { keys: keyList(keys), arguments: args }));
  }

  async releaseAttempt(keys: AttemptKeys): Promise<void> {
    await this.redis.run((c) => c.eval(RELEASE, { keys: [keys.inFlight], arguments: [] }));
  }
}

const SWEEP_EVERY = 10_000;

interface Entry {
  count: number;
  expiresAt: number;
}

/**
 * One process only: counters in memory (no `REDIS_URL`). Each method reads and writes without an
 * `await` in between, so it is atomic on the event loop. Expired entries are swept as it goes.
 */
export class MemoryCounterStore implements CounterStore {
  private readonly entries = new Map<string, Entry>();
  private writes = 0;

  async hit(key: string, windowMs: number): Promise<Counter> {
    const now = Date.now();
    const e = this.live(key, now) ?? this.open(key, now + windowMs);
    e.count++;
    this.sweep(now);
    return { count: e.count, resetMs: e.expiresAt - now };
  }

  async reserveAttempt(keys: AttemptKeys, p: BackoffPolicy): Promise<Reservation> {
    const now = Date.now();
    const block = this.live(keys.block, now);
    if (block) {
      const firstRefusal = !this.live(keys.notified, now);
      if (firstRefusal) this.open(keys.notified, block.expiresAt);
      return { allowed: false, retryAfterMs: block.expiresAt - now, busy: false, firstRefusal };
    }
    const failures = this.live(keys.failures, now)?.count ?? 0;
    const running = this.live(keys.inFlight, now);
    const limit = failures < p.maxFailures ? p.maxFailures - failures : 1;
    if ((running?.count ?? 0) >= limit) return { allowed: false, retryAfterMs: BUSY_RETRY_MS, busy: true, firstRefusal: false };
    const entry = running ?? this.open(keys.inFlight, 0);
    entry.count++;
    entry.expiresAt = now + IN_FLIGHT_TTL_MS;
    this.sweep(now);
    return { allowed: true };
  }

  async resolveAttempt(keys: AttemptKeys, p: BackoffPolicy, outcome: 'failed' | 'succeeded'): Promise<void> {
    const now = Date.now();
    this.releaseNow(keys, now);
    if (outcome === 'succeeded') {
      for (const k of [keys.failures, keys.block, keys.notified]) this.entries.delete(k);
      return;
    }
    const failures = this.live(keys.failures, now) ?? this.open(keys.failures, now + p.windowMs);
    failures.count++;
    const wait = backoffMs(failures.count, p);
    if (wait > 0) {
      this.open(keys.block, now + wait);
      this.entries.delete(keys.notified);
    }
  }

  async releaseAttempt(keys: AttemptKeys): Promise<void> {
    this.releaseNow(keys, Date.now());
  }

  private releaseNow(keys: AttemptKeys, now: number): void {
    const running = this.live(keys.inFlight, now);
    if (running && running.count > 0) running.count--;
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    return e && e.expiresAt > now ? e : undefined;
  }

  private open(key: string, expiresAt: number): Entry {
    const e = { count: 0, expiresAt };
    this.entries.set(key, e);
    return e;
  }

  private sweep(now: number): void {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
}

export const COUNTER_STORE = Symbol('COUNTER_STORE');
