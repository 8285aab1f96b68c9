import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authEntities, authMigrations, authPostgresExtra, AuthModule } from 'nest-dual-auth';
import { ReportsController } from './reports.controller';

/** The host's own module: its own config, its own TypeORM DataSource, and AuthModule on top. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'postgres',
        url: config.getOrThrow<string>('DATABASE_URL'),
        entities: [...authEntities],
        migrations: [...authMigrations],
        migrationsRun: true,
        installExtensions: false,
        extra: { max: 10, ...authPostgresExtra({ queryTimeout: '3s' }) },
      }),
    }),
    AuthModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        // With JWT_PRIVATE_KEY (PEM) tokens are signed with it and its public key is on the JWKS.
        jwt: { secret: config.getOrThrow<string>('JWT_SECRET'), privateKey: config.get<string>('JWT_PRIVATE_KEY'), accessTtl: '10m' },
        session: { secrets: config.getOrThrow<string>('SESSION_SECRET') },
      }),
    }),
  ],
  controllers: [ReportsController],
})
export class AppModule {}
