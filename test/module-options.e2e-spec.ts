import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import {
  Auth,
  authEntities,
  authMigrations,
  AuthModule,
  AuthModuleAsyncOptions,
  AuthOptionsError,
  configureAuthApp,
  resolveAuthOptions,
  runMigrationsLocked,
} from '../src/index';
import { DataSource } from 'typeorm';
import { GOOD_PASSWORD, uniqueEmail } from './utils/factories';
import { TEST_SECRETS } from './utils/test-app';

// AuthModule as a host app configures it, in-process: the host's own TypeORM, forRoot or
// forRootAsync, the routing options, and validation of the options at boot.

@Controller('host')
class HostController {
  @Get('open-by-default') undecorated() {
    return { ok: true };
  }
  @Get('jwt') @Auth('jwt') jwt() {
    return { ok: true };
  }
}

const secrets = { jwt: { secret: TEST_SECRETS.JWT_SECRET }, session: { secrets: TEST_SECRETS.SESSION_SECRET } };

async function hostApp(auth: ReturnType<typeof AuthModule.forRoot>, { connect = true } = {}): Promise<INestApplication> {
  @Module({
    imports: [
      TypeOrmModule.forRootAsync({
        useFactory: () => ({
          type: 'postgres',
          url: process.env.TEST_DATABASE_URL,
          entities: authEntities,
          migrations: authMigrations,
          installExtensions: false,
          manualInitialization: !connect,
        }),
        // Migrations under the package's lock: other suites may be migrating the same database.
        dataSourceFactory: async (options) => {
          const dataSource = new DataSource(options!);
          if (!connect) return dataSource; // a boot that is meant to fail leaves no pool behind
          await dataSource.initialize();
          await runMigrationsLocked(dataSource);
          return dataSource;
        },
      }),
      auth,
    ],
    controllers: [HostController],
  })
  class HostModule {}
  const app = await NestFactory.create(HostModule, { logger: false, abortOnError: false });
  configureAuthApp(app, { httpTimeouts: false });
  await app.init();
  return app;
}

describe('AuthModule options', () => {
  it('forRoot refuses invalid options at once, naming each option and never its value', () => {
    try {
      AuthModule.forRoot({ production: true, jwt: { secret: 'short-jwt-value', accessTtl: '15 minutes' }, session: { secrets: ['x'.repeat(40), 'tiny-value'] }, throttle: { maxFailures: 0 } });
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(AuthOptionsError);
      const message = (err as Error).message;
      expect(message).toMatch(/jwt\.accessTtl must be a duration/);
      expect(message).toMatch(/throttle\.maxFailures must be an integer from 1 to 1000/);
      expect(message).not.toContain('short-jwt-value');
      expect(message).not.toContain('tiny-value');
    }
    expect(() => resolveAuthOptions({ production: true, jwt: { secret: 'j'.repeat(31) }, session: { secrets: 's'.repeat(31) } })).toThrow(/jwt\.secret must be at least 32 bytes in production[\s\S]*session\.secrets must be at least 32 bytes/);
    expect(() => resolveAuthOptions({ ...secrets, redis: { url: 'http://x' } })).toThrow(/redis\.url must be a URL starting with redis:\/\//);
  });

  it('forRootAsync: options from a factory are validated when the app boots', async () => {
    const bad: AuthModuleAsyncOptions = { useFactory: async () => ({ ...secrets, jwt: { secret: 's', refreshGrace: '-1' } }) };
    await expect(hostApp(AuthModule.forRootAsync(bad), { connect: false })).rejects.toThrow(/jwt\.refreshGrace must be a duration/);
  });

  it('mounts the built-in routes under routes.prefix, leaves out the groups switched off, and keeps the JWKS at the root', async () => {
    const app = await hostApp(
      AuthModule.forRootAsync({ useFactory: () => secrets, routes: { prefix: '/api/auth/', registration: false, session: false } }),
    );
    try {
      const http = app.getHttpServer();
      await request(http).post('/api/auth/register').send({ email: uniqueEmail(), password: GOOD_PASSWORD }).expect(404);
      await request(http).post('/api/auth/session/login').send({ email: 'a@b.co', password: GOOD_PASSWORD }).expect(404);
      await request(http).post('/auth/token').send({ email: 'a@b.co', password: GOOD_PASSWORD }).expect(404);
      const res = await request(http).post('/api/auth/token').send({ email: uniqueEmail('nobody'), password: GOOD_PASSWORD }).expect(401);
      expect(res.body.code).toBe('credentials_invalid');
      await request(http).get('/.well-known/jwks.json').expect(200);
      // The global guard: a host route with no decorator is denied.
      await request(http).get('/host/open-by-default').expect(401);
    } finally {
      await app.close();
    }
  });

  it('globalGuard: false leaves undecorated host routes alone; @Auth routes still bring their guard', async () => {
    const app = await hostApp(AuthModule.forRoot({ ...secrets, globalGuard: false }));
    try {
      await request(app.getHttpServer()).get('/host/open-by-default').expect(200);
      const res = await request(app.getHttpServer()).get('/host/jwt').expect(401);
      expect(res.body.code).toBe('credentials_missing');
    } finally {
      await app.close();
    }
  });
});
