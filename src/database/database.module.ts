import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { DependencyGuard } from '../common/dependency-guard';
import { dataSourceOptions } from './data-source.options';
import { runMigrationsLocked } from './migrate';
import { guardPool, probePostgres } from './resilient-postgres';

/**
 * TypeORM on the given URL (real PostgreSQL or the embedded server); migrations run on boot.
 * Every query and checkout has the `DB_QUERY_TIMEOUT` deadline, and a guard fails calls fast
 * while PostgreSQL is unreachable or hung (see `resilient-postgres.ts`).
 */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, queryTimeoutMs: number): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(url), retryAttempts: 0 }),
          dataSourceFactory: async () => {
            const guard = new DependencyGuard('database', probePostgres(url, queryTimeoutMs));
            const dataSource = await new DataSource(dataSourceOptions(url, { queryTimeoutMs, guard })).initialize();
            guardPool((dataSource.driver as unknown as { master: Pool }).master, guard);
            const destroy = dataSource.destroy.bind(dataSource);
            dataSource.destroy = async () => {
              guard.close();
              await destroy();
            };
            try {
              await runMigrationsLocked(dataSource);
            } catch (err) {
              await dataSource.destroy();
              throw err;
            }
            return dataSource;
          },
        }),
      ],
    };
  }
}
