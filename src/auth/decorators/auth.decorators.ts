import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AuthContext, AuthRouteMetadata, AuthStrategyName } from '../auth.types';
import { AuthenticationGuard } from '../guards/authentication.guard';
import { AUTH_ROUTE_KEY, ROLES_KEY, SCOPES_KEY } from './metadata-keys';
import type { Duration } from '../auth.options';
import { parseDuration } from '../shared/duration';

export { AUTH_ROUTE_KEY, ROLES_KEY, SCOPES_KEY } from './metadata-keys';

export interface AuthRouteOptions {
  /**
   * JWT only: also check that the token's sign-in (refresh family) and user are still live —
   * one indexed lookup per request, in exchange for revocation that takes effect at once.
   */
  strict?: boolean;
  /**
   * Sensitive actions: the sign-in's last authentication (login, or `POST reauthenticate`) must be
   * at most this old, else `403 reauthentication_required`. `true` uses the module's
   * `lifecycle.freshFor` (10 minutes). For JWT sign-ins it is read from the database, like `strict`.
   */
  fresh?: Duration | true;
  /** Only callers whose email address is verified; others get `403 email_unverified`. */
  verified?: boolean;
}

/**
 * Chooses how callers of a controller or route authenticate: `'session'`, `'jwt'`, `'apiKey'`.
 * Strategies are tried in order and the first success wins; a credential in a header decides on
 * its own: `Authorization: Bearer nda_…` or `X-API-Key` → `apiKey`, any other Bearer → `jwt`.
 *
 * @example
 * ```ts
 * @Controller('reports')
 * @Auth('jwt')                                   // whole controller: Bearer only
 * export class ReportsController {
 *   @Get() list(@CurrentAuth() auth: AuthContext) { … }
 *   @Get('mine') @Auth('session', 'jwt') mine() { … }         // either: cookie or Bearer
 *   @Delete(':id') @Auth('jwt', { strict: true }) @Roles('admin') remove() { … }
 *   @Post('export') @Auth('session', 'jwt', { fresh: '5m', verified: true }) export() { … }
 * }
 * ```
 */
export function Auth(...args: Array<AuthStrategyName | AuthRouteOptions>): MethodDecorator & ClassDecorator {
  const strategies = args.filter((a): a is AuthStrategyName => typeof a === 'string');
  const options = args.find((a): a is AuthRouteOptions => typeof a === 'object') ?? {};
  if (strategies.length === 0) throw new Error('@Auth() needs at least one strategy: @Auth("session"), @Auth("jwt")');
  const metadata: AuthRouteMetadata = {
    strategies: [...new Set(strategies)],
    strict: options.strict ?? false,
    ...(options.fresh !== undefined && { fresh: freshness(options.fresh) }),
    ...(options.verified && { verified: true }),
  };
  // The guard comes with the decorator: with `globalGuard: false` an `@Auth()` route is still
  // protected (with the global guard on, the second run is a no-op).
  return applyDecorators(SetMetadata(AUTH_ROUTE_KEY, metadata), UseGuards(AuthenticationGuard));
}

function freshness(fresh: Duration | true): number | 'default' {
  if (fresh === true) return 'default';
  const ms = typeof fresh === 'number' ? fresh : parseDuration(fresh);
  if (ms === undefined || !(ms > 0)) throw new Error(`@Auth({ fresh }) needs a duration such as '10m' (or true), not ${JSON.stringify(fresh)}`);
  return ms;
}

/**
 * Opts a controller or route out of authentication (routes are denied by default).
 * @example `@Get('status') @Public() status() { … }`
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(AUTH_ROUTE_KEY, { public: true } satisfies AuthRouteMetadata);

/**
 * Requires at least one of the roles (403 `forbidden_role` otherwise). Combine with `@Auth()`.
 * @example `@Delete(':id') @Roles('admin') remove() { … }`
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), UseGuards(AuthenticationGuard));

/**
 * Requires every listed scope of an API-key caller (403 `insufficient_scope` otherwise); sessions
 * and JWTs are not restricted by scopes. Combine with `@Auth(..., 'apiKey')`.
 * @example `@Get() @Auth('jwt', 'apiKey') @Scopes('reports:read') list() { … }`
 */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(SCOPES_KEY, scopes), UseGuards(AuthenticationGuard));

/**
 * The `AuthContext` of the request: `{ user, strategy, signInId }`.
 * @example `@Get() me(@CurrentAuth() auth: AuthContext) { return auth.user; }`
 */
export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext | undefined => {
  return ctx.getArgByIndex<Request>(0).auth; // not switchToHttp(): it makes three closures per call
});
