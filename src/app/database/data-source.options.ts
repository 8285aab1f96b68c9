import { DataSourceOptions } from 'typeorm';
import { authEntities, authMigrations, authPostgresExtra } from '../../index';

/**
 * The standalone app's DataSource, shared by the app (TypeOrmModule) and the TypeORM CLI
 * (`cli-data-source.ts`): the auth module's entities and migrations — exactly what a host adds to
 * its own. Schema changes only ever come from `migrations/`, never `synchronize`.
 * `queryTimeoutMs` puts the deadline on every query and checkout (the CLI runs without one).
 */
export function dataSourceOptions(url: string, queryTimeoutMs?: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: authEntities,
    migrations: authMigrations,
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
      application_name: 'nest-dual-auth',
      ...(queryTimeoutMs && authPostgresExtra({ queryTimeout: queryTimeoutMs })),
    },
  };
}
