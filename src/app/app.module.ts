import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthModule } from '../index';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ExamplesModule } from './examples/examples.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';

export type ModuleImport = Type | DynamicModule;

/**
 * The standalone backend: the auth module on a database, with logs, health, examples and
 * events — wired exactly as a host app would wire it, through the package's entry point.
 */
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
        DatabaseModule.forRoot(databaseUrl, config.dbQueryTimeoutMs),
        AuthModule.forRoot(config.authOptions),
        HealthModule,
        ...(config.examplesEnabled ? [ExamplesModule] : []),
        ...extraImports,
      ],
    };
  }
}
