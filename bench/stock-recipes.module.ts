/**
 * The "stock recipes" a team would write instead of nest-dual-auth, mounted beside our routes in
 * the benchmark server only (never in the app): passport-jwt configured the common way (a string
 * `secretOrKey`), and express-session with connect-pg-simple / connect-redis defaults. Each is
 * mounted on its own routes only, so it does not slow the open route the ratios are taken to.
 */
import { Controller, DynamicModule, Get, Inject, Injectable, MiddlewareConsumer, Module, NestModule, Post, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import connectPgSimple from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import type { Request } from 'express';
import session from 'express-session';
import { ExtractJwt, Strategy as PassportJwtStrategy } from 'passport-jwt';
import { createClient } from 'redis';
import { Public } from '../src/auth/decorators/auth.decorators';
import { APP_CONFIG, AppConfig } from '../src/app/config/app-config';

@Injectable()
class StockJwtStrategy extends PassportStrategy(PassportJwtStrategy, 'stock-jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // The common recipe: a string secret (jsonwebtoken re-parses it on every call).
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: config.auth.jwt.secret });
  }
  validate(payload: { sub: string; roles: string[] }) {
    return { userId: payload.sub, roles: payload.roles };
  }
}

type StockSession = { userId?: string };
const sessionOf = (req: Request) => req.session as unknown as StockSession;

@Controller('stock')
@Public() // our global guard stays out of the way; each route does its own stock check
class StockController {
  @Get('jwt')
  @UseGuards(AuthGuard('stock-jwt'))
  jwt() {
    return { strategy: 'jwt' };
  }

  @Post('session-pg/login')
  loginPg(@Req() req: Request) {
    sessionOf(req).userId = 'bench';
    return { ok: true };
  }

  @Get('session-pg')
  sessionPg(@Req() req: Request) {
    if (!sessionOf(req).userId) throw new UnauthorizedException();
    return { strategy: 'session' };
  }

  @Post('session-redis/login')
  loginRedis(@Req() req: Request) {
    sessionOf(req).userId = 'bench';
    return { ok: true };
  }

  @Get('session-redis')
  sessionRedis(@Req() req: Request) {
    if (!sessionOf(req).userId) throw new UnauthorizedException();
    return { strategy: 'session' };
  }
}

@Module({})
export class StockRecipesModule implements NestModule {
  private static middleware: { pg: ReturnType<typeof session>; redis?: ReturnType<typeof session> };

  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    const PgStore = connectPgSimple(session);
    const common = { secret: config.auth.session.secrets[0], resave: false, saveUninitialized: false, cookie: { maxAge: config.auth.session.absoluteTtlMs } };
    let redis: ReturnType<typeof session> | undefined;
    if (config.auth.redis?.mode === 'single') {
      // node-redis defaults, except the connect deadline (5 s): a server starting under valgrind
      // (`npm run bench:instructions`) takes longer, and a connect that times out here is an
      // unhandled error that ends the process. It plays no part once connected.
      const client = createClient({ url: config.auth.redis.url, socket: { connectTimeout: 60_000 } });
      void client.connect();
      redis = session({ ...common, store: new RedisStore({ client }) });
    }
    StockRecipesModule.middleware = {
      pg: session({ ...common, store: new PgStore({ conString: databaseUrl, createTableIfMissing: true }) }),
      redis,
    };
    return { module: StockRecipesModule, controllers: [StockController], providers: [StockJwtStrategy] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StockRecipesModule.middleware.pg).forRoutes('stock/session-pg', 'stock/session-pg/login');
    if (StockRecipesModule.middleware.redis) {
      consumer.apply(StockRecipesModule.middleware.redis).forRoutes('stock/session-redis', 'stock/session-redis/login');
    }
  }
}
