import { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import type { DependencyGuard } from '../common/dependency-guard';
import { entities } from './entities';
import { deadlineClient } from './resilient-postgres';

/** Client-side deadlines for the app's pool (the TypeORM CLI runs without them). */
export interface DatabaseDeadlines {
  /** Longest a query, or a checkout from the pool, may take: `DB_QUERY_TIMEOUT`. */
  queryTimeoutMs: number;
  guard: DependencyGuard;
}

/**
 * The one DataSource definition, shared by the app (TypeOrmModule) and the TypeORM CLI
 * (`cli-data-source.ts`). Schema changes only ever come from `migrations/` — never `synchronize`.
 */
export function dataSourceOptions(url: string, deadlines?: DatabaseDeadlines): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // PGlite has no uuid-ossp: use the built-in gen_random_uuid() and never CREATE EXTENSION.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    // TypeORM's query logger prints parameters (password hashes, token hashes): keep it off.
    logging: false,
    extra: {
      max: 20,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'nest-dual-auth',
      ...(deadlines && {
        // Checkout (waiting for a free connection, or opening one) is bounded like a query.
        connectionTimeoutMillis: deadlines.queryTimeoutMs,
        // The server gives up on a statement at the deadline; the client cuts the connection
        // shortly after if no answer came (see deadlineClient).
        statement_timeout: deadlines.queryTimeoutMs,
        Client: deadlineClient(deadlines.queryTimeoutMs, deadlines.guard),
      }),
    },
  };
}
