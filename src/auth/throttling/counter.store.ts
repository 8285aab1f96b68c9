import type { RedisClient } from '../../redis/redis.module';

export interface Counter {
  count: number;
  /** Milliseconds until this counter's window ends. */
  resetMs: number;
}

/** Fixed-window counters: where throttling state lives. */
export interface CounterStore {
  /** Adds one to `key` (starting a `windowMs` window if none is open) and returns the new state. */
  hit(key: string, windowMs: number): Promise<Counter>;
  /** Milliseconds left on a flag set by `block`, or 0. */
  blockedFor(key: string): Promise<number>;
  block(key: string, ms: number): Promise<void>;
  reset(...keys: string[]): Promise<void>;
}

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** Shared by every instance: counters in Redis (when `REDIS_URL` is set). */
export class RedisCounterStore implements CounterStore {
  constructor(private readonly redis: RedisClient) {}

  async hit(key: string, windowMs: number): Promise<Counter> {
    const [count, resetMs] = (await this.redis.eval(HIT, { keys: [key], arguments: [String(windowMs)] })) as [number, number];
    return { count, resetMs };
  }

  async blockedFor(key: string): Promise<number> {
    return Math.max(0, await this.redis.pTTL(key));
  }

  async block(key: string, ms: number): Promise<void> {
    await this.redis.set(key, '1', { expiration: { type: 'PX', value: ms } });
  }

  async reset(...keys: string[]): Promise<void> {
    await this.redis.del(keys);
  }
}

const SWEEP_EVERY = 10_000;

/** One process only: counters in memory (no `REDIS_URL`). Expired entries are swept as it goes. */
export class MemoryCounterStore implements CounterStore {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();
  private writes = 0;

  async hit(key: string, windowMs: number): Promise<Counter> {
    const now = Date.now();
    let e = this.entries.get(key);
    if (!e || e.expiresAt <= now) {
      e = { count: 0, expiresAt: now + windowMs };
      this.entries.set(key, e);
    }
    e.count++;
    this.sweep(now);
    return { count: e.count, resetMs: e.expiresAt - now };
  }

  async blockedFor(key: string): Promise<number> {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.expiresAt - Date.now()) : 0;
  }

  async block(key: string, ms: number): Promise<void> {
    this.entries.set(key, { count: 1, expiresAt: Date.now() + ms });
  }

  async reset(...keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }

  private sweep(now: number): void {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
}

export const COUNTER_STORE = Symbol('COUNTER_STORE');
