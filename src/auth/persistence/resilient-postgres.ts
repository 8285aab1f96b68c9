import { Client, Pool } from 'pg';
import { DependencyGuard, DependencyUnavailableError } from './dependency-guard';
import { isDependencyUnavailable } from './errors';

type QueryCallback = (err: Error | null, result?: unknown) => void;

/** The driver's socket, for cutting a connection whose query overran its deadline. */
interface WithStream {
  connection?: { stream?: { destroy(err?: Error): void } };
}

const DEADLINE_CLIENT = Symbol('nda.deadlineClient');

/** A `pg` Client class made by `deadlineClient()`; `guard` is attached by the module at startup. */
export interface DeadlineClientClass {
  new (...args: ConstructorParameters<typeof Client>): Client;
  readonly [DEADLINE_CLIENT]: true;
  guard?: DependencyGuard;
}

export const isDeadlineClient = (c: unknown): c is DeadlineClientClass =>
  typeof c === 'function' && (c as Partial<DeadlineClientClass>)[DEADLINE_CLIENT] === true;

/**
 * A `pg` Client whose every query has a client-side deadline. When it passes, the connection is
 * cut (not merely the promise rejected): the server may never answer, or its answer may have been
 * lost, and a connection with a reply outstanding must never carry another query — it could read
 * the old query's result as its own. The pool then drops the client (it errored), the query fails
 * with a 503, and the guard fails the next calls fast until PostgreSQL answers a probe.
 * The server's own `statement_timeout` is set to the same deadline, so a server that is merely
 * slow cancels the statement itself a little earlier and the connection survives.
 */
export function deadlineClient(deadlineMs: number): DeadlineClientClass {
  const Deadline = class DeadlineClient extends Client {
    static readonly [DEADLINE_CLIENT] = true as const;
    static guard?: DependencyGuard;
    /** 0 turns the deadline off for this connection (migrations). */
    deadlineMs = deadlineMs + DEADLINE_SLACK_MS;

    // pg's query() has many overloads (promise, callback, submittable); one wrapper serves them all.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override query(...args: any[]): any {
      const ms = this.deadlineMs;
      if (!ms) return (super.query as (...a: unknown[]) => unknown)(...args);
      const timer = setTimeout(() => {
        Deadline.guard?.reportFailure(`a query got no answer within ${ms} ms`);
        (this as unknown as WithStream).connection?.stream?.destroy(new Error(`Query read timeout: no answer within ${ms} ms`));
      }, ms);
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (err: Error | null, result?: unknown) => {
          clearTimeout(timer);
          (last as QueryCallback)(err, result);
        };
        return (super.query as (...a: unknown[]) => unknown)(...args);
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args) as { then?: unknown; once?: unknown } | undefined;
      if (result && typeof result.then === 'function') {
        const promise = result as Promise<unknown>;
        promise.then(
          () => clearTimeout(timer),
          () => clearTimeout(timer),
        );
        return promise;
      }
      if (result && typeof result.once === 'function') {
        const emitter = result as { once(event: string, fn: () => void): void };
        emitter.once('end', () => clearTimeout(timer));
        emitter.once('error', () => clearTimeout(timer));
        return result;
      }
      clearTimeout(timer);
      return result;
    }
  };
  return Deadline as unknown as DeadlineClientClass;
}

/** The server cancels at the deadline (`statement_timeout`); the client cuts the connection this much later. */
const DEADLINE_SLACK_MS = 250;

/**
 * Makes a pool fail fast while its guard says PostgreSQL is down, and lets a failed checkout
 * (refused, or no connection within `connectionTimeoutMillis`) mark it down. Every pool user —
 * TypeORM's query runners, the hot-path queries — checks out through `connect`.
 */
export function guardPool(pool: Pool, guard: DependencyGuard): void {
  const connect = pool.connect.bind(pool) as (cb?: (err: Error | undefined, client?: unknown, done?: unknown) => void) => unknown;
  const noteFailure = (err: unknown) => {
    if (err && isDependencyUnavailable(err)) guard.reportFailure(`cannot get a connection (${(err as Error).message})`);
  };
  (pool as unknown as { connect: typeof connect }).connect = (cb) => {
    if (!guard.isUp) {
      const err = new DependencyUnavailableError('database', 'marked down after a failed call');
      if (!cb) return Promise.reject(err);
      process.nextTick(cb, err);
      return undefined;
    }
    if (!cb) return (connect() as Promise<unknown>).catch((err: unknown) => (noteFailure(err), Promise.reject(err)));
    return connect((err, client, done) => {
      noteFailure(err);
      cb(err, client, done);
    });
  };
}

/**
 * The guard's probe: a fresh connection (outside the pool, with the pool's settings and deadline)
 * that must connect and answer `SELECT 1`, then is closed.
 */
export function probePool(pool: Pool): () => Promise<void> {
  return async () => {
    const { Client: PoolClient, options } = pool as unknown as { Client: typeof Client; options: object };
    const client = new PoolClient(options);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (err) {
      (client as unknown as WithStream).connection?.stream?.destroy();
      throw err;
    }
    await client.end();
  };
}
