import type { Duration } from '../auth.options';
import { parseDuration } from '../shared/duration';
import { deadlineClient } from './resilient-postgres';

/**
 * TypeORM `extra` for a PostgreSQL DataSource the auth module uses: a deadline on every query
 * and checkout (`statement_timeout` on the server, the pool's `connectionTimeoutMillis`, and
 * the client cutting a connection that overran). With it, the module also fails calls fast while
 * PostgreSQL is down (see `DatabaseResilience`). Spread it into your own `extra`.
 *
 * @example `TypeOrmModule.forRoot({ type: 'postgres', url, entities: [...authEntities], extra: { max: 20, ...authPostgresExtra({ queryTimeout: '3s' }) } })`
 */
export function authPostgresExtra(options: { queryTimeout?: Duration } = {}): Record<string, unknown> {
  const ms = typeof options.queryTimeout === 'number' ? options.queryTimeout : parseDuration(options.queryTimeout ?? '3s');
  if (ms === undefined || ms <= 0 || ms > 60_000) throw new Error('queryTimeout must be a duration from 1ms to 60s');
  return { connectionTimeoutMillis: ms, statement_timeout: ms, keepAlive: true, Client: deadlineClient(ms) };
}
