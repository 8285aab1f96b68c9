/**
 * nest-dual-auth — the public entry point. Everything a host app uses is exported here; nothing
 * else in the package is public (the standalone app in `src/app/` imports only from this file).
 */

// The module and its options
export { AuthModule } from './auth/auth.module';
export type { AuthModuleAsyncOptions } from './auth/auth.module';
export { AUTH_OPTIONS, AuthOptionsError, MIN_SECRET_BYTES, resolveAuthOptions } from './auth/auth.options';
export type { AuthModuleOptions, AuthModuleRouting, AuthOptions, Duration } from './auth/auth.options';
export { parseDuration } from './auth/shared/duration';

// Choosing how routes authenticate
export { Auth, CurrentAuth, Public, Roles, Scopes } from './auth/decorators/auth.decorators';
export type { AuthRouteOptions } from './auth/decorators/auth.decorators';
export { AuthErrorCode, AuthStrategy } from './auth/auth.types';
export type { AuthContext, AuthStrategyName, AuthUser } from './auth/auth.types';

// Guards, for `@UseGuards(...)` (with `globalGuard: false`) or the host's own routes
export { ApiKeyAuthGuard, AuthenticationGuard, JwtAuthGuard, SessionAuthGuard } from './auth/guards/authentication.guard';
export { ScopesGuard } from './auth/guards/scopes.guard';
export { CsrfGuard } from './auth/csrf/csrf.guard';
export { RolesGuard } from './auth/guards/roles.guard';
export { IpThrottleGuard } from './auth/throttling/ip-throttle.guard';

// Events
export { AuthEvent, AuthEvents } from './auth/events/auth-events';
export type { AuthEventName, AuthEventOf, AuthEventPayloads, SignInKind } from './auth/events/auth-events';

// Persistence: the host's DataSource gets these entities and migrations
export { authEntities } from './auth/persistence/entities';
export { authMigrations } from './auth/persistence/migrations';
export { UserEntity } from './auth/accounts/user.entity';
export { SessionEntity } from './auth/sessions/session.entity';
export { RefreshFamilyEntity } from './auth/tokens/refresh-family.entity';
export { RefreshTokenEntity } from './auth/tokens/refresh-token.entity';
export { OneTimeTokenEntity } from './auth/one-time-tokens/one-time-token.entity';
export { ApiKeyEntity } from './auth/api-keys/api-key.entity';
export { authPostgresExtra } from './auth/persistence/postgres-extra';
export { runMigrationsLocked } from './auth/persistence/migrate';
export { DependencyUnavailableError } from './auth/persistence/dependency-guard';
export { AuthHealth } from './auth/persistence/auth-health';
export type { AuthDependencies, DependencyState } from './auth/persistence/auth-health';

// HTTP: what a host adds to its app
export { configureAuthApp, DEFAULT_HTTP_TIMEOUTS } from './auth/http/configure-auth-app';
export type { ConfigureAuthAppOptions } from './auth/http/configure-auth-app';
export { FastExpressAdapter } from './auth/http/fast-express-adapter';
export type { HttpTimeouts } from './auth/http/http-timeouts';
export { AllExceptionsFilter as AuthExceptionFilter } from './auth/http/all-exceptions.filter';
export { CodedHttpException } from './auth/http/http-errors';

// OpenAPI
export { addAuthToOpenApi } from './auth/openapi/auth-openapi';
export { ErrorDto, UserDto } from './auth/openapi/schemas';

// Accounts, for admin tools (the standalone app's CLI uses these)
export { UsersService, InvalidUserInputError } from './auth/accounts/users.service';
export type { NewUser } from './auth/accounts/users.service';
export { EmailTakenError } from './auth/accounts/users.repository';
export { AccountStatusService } from './auth/accounts/account-status.service';
export { toUserView } from './auth/accounts/user.view';
export type { UserView } from './auth/accounts/user.view';
export { normaliseEmail } from './auth/accounts/email';
export { HousekeepingService } from './auth/sign-ins/housekeeping.service';
export { ApiKeysService } from './auth/api-keys/api-keys.service';
export type { ApiKeyView, NewApiKeyInput } from './auth/api-keys/api-keys.service';

// Mail: a transport of the host's own (`mail.transport`)
export type { AuthMail, AuthMailKind, AuthMailTransport } from './auth/mail/mail.types';
export { SignInsService } from './auth/sign-ins/sign-ins.service';
export type { SignInView } from './auth/sign-ins/sign-ins.service';
export { TokenService } from './auth/tokens/token.service';
export type { TokenPair } from './auth/tokens/token.service';
