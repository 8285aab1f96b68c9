import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS_CONNECTION, RedisConnection } from '../redis/redis.module';
import { UsersModule } from '../users/users.module';
import { AUTH_MODULE_OPTIONS, AuthModuleOptions } from './auth.options';
import { AuthService } from './auth.service';
import { AuthenticationService } from './authentication.service';
import { AuthEvents } from './events/auth-events';
import { AuthEventsLogger } from './events/auth-events.logger';
import { AuthenticationGuard, JwtAuthGuard, SessionAuthGuard } from './guards/authentication.guard';
import { CsrfGuard } from './guards/csrf.guard';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { HousekeepingService } from './housekeeping.service';
import { JwksController } from './jwks.controller';
import { AccountStatusService } from './sign-ins/account-status.service';
import { SignInsController } from './sign-ins/sign-ins.controller';
import { SignInsService } from './sign-ins/sign-ins.service';
import { MeController } from './me.controller';
import { RegistrationController } from './registration.controller';
import { SessionAuthController } from './session-auth.controller';
import { RedisSessionsRepository } from './sessions/redis-sessions.repository';
import { SESSION_BACKEND, SessionBackend } from './sessions/session-record';
import { SessionService } from './sessions/session.service';
import { SessionsRepository } from './sessions/sessions.repository';
import { LocalStrategy } from './strategies/local.strategy';
import { REQUEST_AUTH_STRATEGIES, RequestAuthStrategy } from './strategies/request-strategy';
import { JwtStrategy } from './strategies/jwt.strategy';
import { SessionCookieStrategy } from './strategies/session-cookie.strategy';
import { TokenAuthController } from './token-auth.controller';
import { JwtKeyring } from './tokens/jwt-keyring';
import { RefreshTokensRepository } from './tokens/refresh-tokens.repository';
import { TokenService } from './tokens/token.service';
import { COUNTER_STORE, CounterStore, MemoryCounterStore, RedisCounterStore } from './throttling/counter.store';
import { IpThrottleGuard } from './throttling/ip-throttle.guard';
import { LoginThrottleService } from './throttling/login-throttle.service';

/**
 * Sessions and JWT side by side, chosen per route with `@Auth()`. Import once:
 * `AuthModule.forRoot()` (defaults from the app configuration) or with options.
 * Exports the guards for `@UseGuards()` users; the decorators are plain imports.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [UsersModule, PassportModule],
      controllers: [RegistrationController, SessionAuthController, TokenAuthController, MeController, SignInsController, JwksController],
      providers: [
        { provide: AUTH_MODULE_OPTIONS, useValue: options },
        AuthEvents,
        AuthEventsLogger,
        AuthService,
        LocalStrategy,
        LocalAuthGuard,
        SessionsRepository,
        {
          // Redis when REDIS_URL is set, else the `sessions` table.
          provide: SESSION_BACKEND,
          inject: [REDIS_CONNECTION, SessionsRepository],
          useFactory: (redis: RedisConnection | null, db: SessionsRepository): SessionBackend =>
            redis ? new RedisSessionsRepository(redis) : db,
        },
        SessionService,
        {
          // Throttling counters: Redis when REDIS_URL is set (shared by every instance), else memory.
          provide: COUNTER_STORE,
          inject: [REDIS_CONNECTION],
          useFactory: (redis: RedisConnection | null): CounterStore => (redis ? new RedisCounterStore(redis) : new MemoryCounterStore()),
        },
        LoginThrottleService,
        IpThrottleGuard,
        SessionCookieStrategy,
        { provide: JwtKeyring, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new JwtKeyring(config.jwt) },
        RefreshTokensRepository,
        TokenService,
        JwtStrategy,
        SignInsService,
        AccountStatusService,
        HousekeepingService,
        {
          provide: REQUEST_AUTH_STRATEGIES,
          inject: [SessionCookieStrategy, JwtStrategy],
          useFactory: (...strategies: RequestAuthStrategy[]) => strategies,
        },
        AuthenticationService,
        AuthenticationGuard,
        SessionAuthGuard,
        JwtAuthGuard,
        CsrfGuard,
        RolesGuard,
        ...(options.globalGuard === false ? [] : [{ provide: APP_GUARD, useExisting: AuthenticationGuard }]),
      ],
      exports: [AuthEvents, HousekeepingService, LoginThrottleService, IpThrottleGuard, AUTH_MODULE_OPTIONS, AuthenticationService, SessionService, TokenService, SignInsService, AccountStatusService, SESSION_BACKEND, SessionAuthGuard, JwtAuthGuard, CsrfGuard, RolesGuard],
    };
  }
}
