import { Logger } from '@nestjs/common';
import type * as RedisLib from 'redis';
import { DependencyGuard, DependencyUnavailableError } from './dependency-guard';

/** node-redis, loaded only by apps that configure Redis (it costs ~100 ms to load). */
let loaded: typeof RedisLib | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const redisLib = (): typeof RedisLib => (loaded ??= require('redis') as typeof RedisLib);

/** Where Redis is: one node, a cluster, or the primary that Sentinels name. */
export type RedisTarget = { mode: 'single'; url: string } | { mode: 'cluster'; nodes: string[] } | { mode: 'sentinel'; sentinels: string[]; name: string };

const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 2_000);

// A function's return type infers the client's exact generics (RESP3, no modules).
const makeSingleClient = (url: string, commandTimeoutMs: number) =>
  redisLib().createClient({
    url,
    // Commands fail at once while disconnected instead of queueing behind the outage.
    disableOfflineQueue: true,
    // node-redis's own timeout bounds only the wait to be written; `run()` bounds the reply.
    commandOptions: { timeout: commandTimeoutMs },
    socket: { connectTimeout: commandTimeoutMs, reconnectStrategy },
  });
/**
 * The commands this module sends. Every one names at most one key (or keys sharing a hash tag),
 * so the same calls run on a single node, a cluster (routed by key) and a Sentinel-managed primary.
 */
export type RedisClient = ReturnType<typeof makeSingleClient>;

/** Credentials and TLS of a `redis://` / `rediss://` URL, for connections a cluster or Sentinel opens itself. */
function connectionDefaults(url: string, commandTimeoutMs: number) {
  const u = new URL(url);
  return {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeoutMs },
    socket: { connectTimeout: commandTimeoutMs, reconnectStrategy, ...(u.protocol === 'rediss:' ? { tls: true as const } : {}) },
  };
}
const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379) };
};

/**
 * One client for any mode. Cluster and Sentinel clients answer the same command methods as a
 * single-node client (routing each by its key, or to the current primary), so the rest of the
 * module holds all three as `RedisClient`.
 */
function makeClient(target: RedisTarget, commandTimeoutMs: number): RedisClient {
  const r = redisLib();
  switch (target.mode) {
    case 'single':
      return makeSingleClient(target.url, commandTimeoutMs);
    case 'cluster': {
      const defaults = connectionDefaults(target.nodes[0], commandTimeoutMs);
      return r.createCluster({
        rootNodes: target.nodes.map((url) => ({ url })),
        defaults,
        commandOptions: { timeout: commandTimeoutMs },
      }) as unknown as RedisClient;
    }
    case 'sentinel': {
      const defaults = connectionDefaults(target.sentinels[0], commandTimeoutMs);
      return r.createSentinel({
        name: target.name,
        sentinelRootNodes: target.sentinels.map(hostPort),
        nodeClientOptions: defaults,
        sentinelClientOptions: defaults,
        commandOptions: { timeout: commandTimeoutMs },
      }) as unknown as RedisClient;
    }
  }
}

/** `RedisConnection | null`: null when the module has no Redis. */
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

/** node-redis's errors that mean "Redis did not answer" (its classes do not set `name`: match by class). */
const clientSideFailure = (err: unknown): boolean => {
  const r = redisLib();
  const types = [
    r.TimeoutError,
    r.AbortError,
    r.ClientOfflineError,
    r.ClientClosedError,
    r.SocketClosedUnexpectedlyError,
    r.SocketTimeoutError,
    r.ConnectionTimeoutError,
    r.DisconnectsClientError,
    r.ReconnectStrategyError,
  ];
  return (
    types.some((type) => err instanceof type) ||
    (err as Error)?.message === 'The queue is full' ||
    // Cluster and Sentinel clients between topologies (plain Errors, matched by message).
    /^(no valid master node|None of the sentinels are available|Master Node Not Enumerated|Could not find shard|Cluster closed|Couldn'?t|couldn'?t)/.test((err as Error)?.message ?? '') ||
    // node-redis 6.3's Sentinel client, mid-failover, can fail inside its own `execute` (it reads a
    // primary connection its reset has just dropped: "Cannot read properties of undefined (reading
    // 'isReady')"); seen in test/scale-out/sentinel-failover. The primary is unavailable: a 503.
    (err instanceof TypeError && /[\\/]@redis[\\/]client[\\/]/.test(err.stack ?? ''))
  );
};

/**
 * The app's Redis connection (node-redis), with the deadline rules every dependency call follows:
 * - each command has a client-side deadline (`REDIS_COMMAND_TIMEOUT`);
 * - a connection on which a command timed out is replaced, never reused: if its replies were lost
 *   rather than late, a later reply could otherwise be taken for another command's;
 * - after a timeout the dependency guard fails calls fast until Redis answers a probe again;
 * - every client-side failure becomes a `DependencyUnavailableError` (503); errors Redis itself
 *   answered (`ErrorReply`: WRONGTYPE, CROSSSLOT …) are bugs and stay what they are.
 */
export class RedisConnection {
  private current: RedisClient;
  private openedAt = 0;
  readonly guard: DependencyGuard;
  private lastError = '';

  constructor(
    private readonly target: RedisTarget,
    private readonly commandTimeoutMs: number,
    private readonly logger = new Logger('Redis'),
  ) {
    this.current = this.open();
    this.guard = new DependencyGuard('redis', () => this.probe(), { logger });
  }

  /** The current client, for tests and tools; application code goes through `run()`. */
  get client(): RedisClient {
    return this.current;
  }

  /**
   * Runs one call — a command, or a few issued together — on the current connection under the
   * rules above. The deadline covers the whole call, replies included (node-redis's own command
   * timeout only covers the wait to be written).
   */
  async run<T>(commands: (client: RedisClient) => Promise<T>): Promise<T> {
    this.guard.assertUp();
    const client = this.current;
    try {
      return await this.withDeadline(client, commands);
    } catch (err) {
      if (!clientSideFailure(err)) throw err;
      if (err instanceof redisLib().TimeoutError) this.guard.reportFailure(`no answer within ${this.commandTimeoutMs} ms`);
      throw new DependencyUnavailableError('redis', (err as Error).message || (err as Error).constructor.name, { cause: err });
    }
  }

  /** `commands`, or a `TimeoutError` after the deadline — and then the connection is replaced. */
  private async withDeadline<T>(client: RedisClient, commands: (client: RedisClient) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.replace(client);
        reject(new (redisLib().TimeoutError)());
      }, this.commandTimeoutMs);
    });
    try {
      return await Promise.race([commands(client), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Liveness for /health. */
  ping(): Promise<unknown> {
    return this.run((c) => c.ping());
  }

  async close(): Promise<void> {
    this.guard.close();
    await this.current.destroy();
  }

  private open(): RedisClient {
    const client = makeClient(this.target, this.commandTimeoutMs);
    client.on('error', (err: Error) => {
      // Each distinct failure once, not once per reconnect attempt; never the URL (it may hold a password).
      if (client === this.current && err.message !== this.lastError) this.logger.warn(`Redis: ${err.message}`);
      this.lastError = err.message;
    });
    client.on('ready', () => {
      if (this.lastError) this.logger.log('Redis: connected');
      this.lastError = '';
    });
    // Not awaited: with Redis down the app still starts and keeps reconnecting in the background.
    client.connect().catch(() => undefined);
    this.openedAt = Date.now();
    return client;
  }

  private replace(client: RedisClient): void {
    if (client !== this.current) return; // already replaced by a concurrent timeout
    this.current = this.open();
    void Promise.resolve(client.destroy()).catch(() => undefined); // its pending commands fail now, with a 503
  }

  /**
   * The guard's probe. A fresh connection whose handshake got no answer (its reply lost) would
   * never become ready: after two deadlines it is replaced too.
   */
  private async probe(): Promise<void> {
    const client = this.current;
    if (!client.isReady) {
      if (Date.now() - this.openedAt > 2 * this.commandTimeoutMs) this.replace(client);
      throw new Error('not connected');
    }
    await this.withDeadline(client, (c) => c.ping());
  }
}
