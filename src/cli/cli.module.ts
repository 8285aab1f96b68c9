import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { UsersModule } from '../users/users.module';

/** The slice of the app the command-line tools need: config, database, users. No HTTP. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return { module: CliModule, imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl), UsersModule] };
  }
}
