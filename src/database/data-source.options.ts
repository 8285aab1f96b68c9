import { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { entities } from './entities';

/**
 * The one DataSource definition, shared by the app (TypeOrmModule) and the TypeORM CLI
 * (`cli-data-source.ts`). Schema changes only ever come from `migrations/` — never `synchronize`.
 */
export function dataSourceOptions(url: string): DataSourceOptions {
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
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Bounded server-side work: a stuck query cannot hold a connection forever.
      statement_timeout: 10_000,
      application_name: 'nest-dual-auth',
    },
  };
}
