import { Controller, DynamicModule, Inject, Injectable, Logger, Module, ModuleMetadata, OnApplicationBootstrap, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountStatusService } from './accounts/account-status.service';
import { MeController } from './accounts/me.controller';
import { RegistrationController } from './accounts/registration.controller';
import { UsersRepository } from './accounts/users.repository';
import { UsersService } from './accounts/users.service';
import {
  AUTH_OPTIONS,
  AUTH_ROUTING,
  AuthModuleOptions,
  AuthModuleRouting,
  AuthOptions,
  resolveAuthOptions,
  resolveRouting,
  ResolvedRouting,
} from './auth.options';
import { AuthService } from './auth.service';
import { AuthenticationService } from './authentication.service';
import { AuthEvents } from './events/auth-events';
import { ApiKeyAuthGuard, AuthenticationGuard, JwtAuthGuard, SessionAuthGuard } from './guards/authentication.guard';
import { ScopesGuard } from './guards/scopes.guard';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { CsrfGuard } from './csrf/csrf.guard';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { PasswordHasher } from './passwords/password-hasher';
import { DatabaseResilience } from './persistence/database-resilience';
import { REDIS_CONNECTION, RedisConnection } from './persistence/redis-connection';
import { AuthHealth } from './persistence/auth-health';
import { HousekeepingService } from './sign-ins/housekeeping.service';
import { SignInsController } from './sign-ins/sign-ins.controller';
import { SignInsService } from './sign-ins/sign-ins.service';
import { RedisSessionsRepository } from './sessions/redis-sessions.repository';
import { SessionAuthController } from './sessions/session-auth.controller';
import { SESSION_BACKEND, SessionBackend } from './sessions/session-record';
import { SessionService } from './sessions/session.service';
import { SessionsRepository } from './sessions/sessions.repository';
import { JwtStrategy } from './strategies/jwt.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import { REQUEST_AUTH_STRATEGIES, RequestAuthStrategy } from './strategies/request-strategy';
import { SessionCookieStrategy } from './strategies/session-cookie.strategy';
import { COUNTER_STORE, CounterStore, MemoryCounterStore, RedisCounterStore } from './throttling/counter.store';
import { IpThrottleGuard } from './throttling/ip-throttle.guard';
import { LoginThrottleService } from './throttling/login-throttle.service';
import { JwksController } from './tokens/jwks.controller';
import { JwtKeyring } from './tokens/jwt-keyring';
import { RefreshTokensRepository } from './tokens/refresh-tokens.repository';
import { TokenAuthController } from './tokens/token-auth.controller';
import { TokenService } from './tokens/token.service';
import { TokenCookies } from './tokens/token-cookies';
import { CsrfTokens } from './csrf/csrf-tokens';
import { CsrfController } from './csrf/csrf.controller';
import { AccountLifecycleController } from './lifecycle/account-lifecycle.controller';
import { AccountLifecycleService } from './lifecycle/account-lifecycle.service';
import { Mailer } from './mail/mailer';
import { OneTimeTokensRepository } from './one-time-tokens/one-time-tokens.repository';

/** `AuthModule.forRootAsync()`: options from a factory, e.g. over `ConfigService`. */
export interface AuthModuleAsyncOptions extends AuthModuleRouting, Pick<ModuleMetadata, 'imports'> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's own factory signature
  useFactory: (...args: any[]) => AuthModuleOptions | Promise<AuthModuleOptions>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- injection tokens of any kind
  inject?: any[];
}

@Injectable()
class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}
  onApplicationBootstrap(): void {
    // Without Redis each instance counts on its own: N instances allow N times the limits.
    if (this.options.production && !this.redis) {
      new Logger('AuthModule').warn(
        'No Redis configured: login throttling and back-off counters live in this process only, so every ' +
          'instance behind a load balancer allows the full limits on its own. Set REDIS_URL (or ' +
          'REDIS_CLUSTER_NODES / REDIS_SENTINELS) when running more than one instance.',
      );
    }
  }
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * A built-in controller mounted under the configured prefix: a subclass per module instance
 * carrying its own `@Controller(path)`, so two apps in one process (or a host and its tests) can
 * mount them at different places. Everything else — handlers, guards, metadata — is inherited.
 */
function mountedAt<T extends Type>(prefix: string, controller: T): T {
  const mounted = class extends controller {};
  Controller(prefix)(mounted);
  Object.defineProperty(mounted, 'name', { value: controller.name });
  return mounted;
}

function controllersFor(routing: ResolvedRouting): Type[] {
  const { prefix, registration, session, token, account, lifecycle, apiKeys, jwks } = routing.routes;
  const groups: Array<[boolean, Type[]]> = [
    [registration, [RegistrationController]],
    [session, [SessionAuthController]],
    [session || token, [CsrfController]],
    [token, [TokenAuthController]],
    [account, [MeController, SignInsController]],
    [lifecycle, [AccountLifecycleController]],
    [apiKeys, [ApiKeysController]],
  ];
  const prefixed = groups.filter(([on]) => on).flatMap(([, list]) => list.map((c) => mountedAt(prefix, c)));
  return jwks ? [...prefixed, JwksController] : prefixed;
}

const providers: Provider[] = [
  AuthEvents,
  PasswordHasher,
  UsersRepository,
  UsersService,
  AccountStatusService,
  AuthService,
  LocalStrategy,
  LocalAuthGuard,
  DatabaseResilience,
  AuthHealth,
  {
    provide: REDIS_CONNECTION,
    inject: [AUTH_OPTIONS],
    useFactory: (o: AuthOptions): RedisConnection | null => (o.redis ? new RedisConnection(o.redis, o.redis.commandTimeoutMs) : null),
  },
  RedisLifecycle,
  SessionsRepository,
  {
    // Redis when configured, else the `auth_sessions` table.
    provide: SESSION_BACKEND,
    inject: [REDIS_CONNECTION, SessionsRepository],
    useFactory: (redis: RedisConnection | null, db: SessionsRepository): SessionBackend => (redis ? new RedisSessionsRepository(redis) : db),
  },
  SessionService,
  {
    // Throttling counters: Redis when configured (shared by every instance), else memory.
    provide: COUNTER_STORE,
    inject: [REDIS_CONNECTION],
    useFactory: (redis: RedisConnection | null): CounterStore => (redis ? new RedisCounterStore(redis) : new MemoryCounterStore()),
  },
  LoginThrottleService,
  IpThrottleGuard,
  SessionCookieStrategy,
  { provide: JwtKeyring, inject: [AUTH_OPTIONS], useFactory: (o: AuthOptions) => new JwtKeyring(o.jwt) },
  RefreshTokensRepository,
  TokenService,
  TokenCookies,
  CsrfTokens,
  JwtStrategy,
  SignInsService,
  HousekeepingService,
  Mailer,
  OneTimeTokensRepository,
  AccountLifecycleService,
  ApiKeysRepository,
  ApiKeysService,
  ApiKeyStrategy,
  {
    provide: REQUEST_AUTH_STRATEGIES,
    inject: [SessionCookieStrategy, JwtStrategy, ApiKeyStrategy],
    useFactory: (...strategies: RequestAuthStrategy[]) => strategies,
  },
  AuthenticationService,
  AuthenticationGuard,
  SessionAuthGuard,
  JwtAuthGuard,
  ApiKeyAuthGuard,
  CsrfGuard,
  RolesGuard,
  ScopesGuard,
];

/** What a host (or the standalone app's CLI and health check) may inject. */
const exported = [
  AUTH_OPTIONS,
  AUTH_ROUTING,
  AuthEvents,
  UsersService,
  AccountStatusService,
  HousekeepingService,
  AuthHealth,
  SessionService,
  SignInsService,
  TokenService,
  AccountLifecycleService,
  Mailer,
  // What the guards need when a host's routes use them (`@Auth()` brings AuthenticationGuard).
  AuthenticationService,
  AuthenticationGuard,
  SessionAuthGuard,
  JwtAuthGuard,
  ApiKeyAuthGuard,
  CsrfGuard,
  RolesGuard,
  ScopesGuard,
  ApiKeysService,
  // Guards the built-in controllers use, so a host may put them on its own routes too.
  IpThrottleGuard,
  LoginThrottleService,
];

/**
 * Sessions, JWTs and API keys side by side, chosen per route with `@Auth()`. Import it once, with its
 * options; it works on the host's TypeORM `DataSource` (add `authEntities` and `authMigrations`
 * to it) and registers a global deny-by-default guard unless `globalGuard: false`.
 *
 * @example
 * ```ts
 * AuthModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (c: ConfigService) => ({ jwt: { secret: c.getOrThrow('JWT_SECRET') }, session: { secrets: c.getOrThrow('SESSION_SECRET') } }),
 * })
 * ```
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions & AuthModuleRouting): DynamicModule {
    // Validated here, synchronously: a bad option stops the boot before anything starts.
    const resolved = resolveAuthOptions(options);
    return AuthModule.build({ provide: AUTH_OPTIONS, useValue: resolved }, [], options);
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return AuthModule.build(
      {
        provide: AUTH_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: unknown[]) => resolveAuthOptions(await options.useFactory(...args)),
      },
      options.imports ?? [],
      options,
    );
  }

  private static build(optionsProvider: Provider, imports: NonNullable<ModuleMetadata['imports']>, routingInput: AuthModuleRouting): DynamicModule {
    const routing = resolveRouting(routingInput);
    return {
      module: AuthModule,
      global: true,
      imports,
      controllers: controllersFor(routing),
      providers: [
        optionsProvider,
        { provide: AUTH_ROUTING, useValue: routing },
        ...providers,
        ...(routing.globalGuard ? [{ provide: APP_GUARD, useExisting: AuthenticationGuard }] : []),
      ],
      exports: exported,
    };
  }
}
