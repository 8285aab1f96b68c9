import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuthModule } from '../auth/auth.module';
import { AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis/redis.module';
import { UsersModule } from '../users/users.module';

/** The app without HTTP, for the command-line tools: config, database, Redis (when set), users, auth services. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(config),
        EventEmitterModule.forRoot({ wildcard: true, delimiter: '.' }),
        DatabaseModule.forRoot(databaseUrl, config.deadlines.dbQueryTimeoutMs),
        RedisModule.forRoot(),
        UsersModule,
        AuthModule.forRoot({ globalGuard: false }),
      ],
    };
  }
}
