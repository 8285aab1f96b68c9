import { DynamicModule, Module, Type } from '@nestjs/common';

export type ModuleImport = Type | DynamicModule;
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ExamplesModule } from './examples/examples.module';
import { HealthModule } from './health/health.module';
import { RedisModule } from './redis/redis.module';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggingModule } from './logging/logging.module';

@Module({})
export class AppModule {
  /**
   * `databaseUrl` comes from `openDatabase()`: real PostgreSQL or the embedded server.
   * `extraImports` lets an embedding app (or a test) add its own modules behind the same guard.
   */
  static forRoot(config: AppConfig, databaseUrl: string, extraImports: ModuleImport[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        EventEmitterModule.forRoot({ wildcard: true, delimiter: '.' }),
        DatabaseModule.forRoot(databaseUrl, config.deadlines.dbQueryTimeoutMs),
        RedisModule.forRoot(),
        AuthModule.forRoot(),
        HealthModule,
        ExamplesModule,
        ...extraImports,
      ],
    };
  }
}
