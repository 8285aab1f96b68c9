import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runMigrationsLocked } from '../../index';
import { dataSourceOptions } from './data-source.options';

/**
 * TypeORM on the given URL (real PostgreSQL or the embedded server), as a host would set it up
 * for the auth module: its entities and migrations, `authPostgresExtra()` deadlines
 * (`DB_QUERY_TIMEOUT`), and the migrations applied on boot under a lock.
 */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, queryTimeoutMs: number): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(url, queryTimeoutMs), retryAttempts: 0 }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
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
