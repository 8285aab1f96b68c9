import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '../../index';
import { AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';

/** The app without HTTP, for the command-line tools: config, database, and the auth module's services. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl, config.dbQueryTimeoutMs),
        AuthModule.forRoot({
          ...config.authOptions,
          globalGuard: false,
          routes: { registration: false, session: false, token: false, account: false, jwks: false },
        }),
      ],
    };
  }
}
