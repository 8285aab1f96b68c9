import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AccessTokenPrincipal as Principal } from './access-token';
import { AccessTokenGuard, accessTokenPrincipalOf, REQUIRED_ROLES_KEY } from './access-token.guard';

export interface RequireAccessTokenOptions {
  /**
   * The caller needs at least one of these roles (the token's `roles` claim), else 403. A
   * method-level `@RequireAccessToken()` without `roles` keeps the controller's.
   */
  roles?: string[];
}

/**
 * Only callers with one of our access tokens (`Authorization: Bearer …`, verified against the
 * issuer's JWKS by `ResourceServerModule`). Also documents the route's Bearer security in OpenAPI
 * (`ApiBearerAuth()`: add `.addBearerAuth()` to your `DocumentBuilder`).
 *
 * @example
 * ```ts
 * @Controller('orders')
 * @RequireAccessToken()                                   // whole controller
 * export class OrdersController {
 *   @Get() list(@AccessTokenPrincipal() caller: AccessTokenPrincipal) { return this.orders.of(caller.userId); }
 *   @Delete(':id') @RequireAccessToken({ roles: ['admin'] }) remove() { … }   // 403 without the role
 * }
 * ```
 */
export function RequireAccessToken(options: RequireAccessTokenOptions = {}): MethodDecorator & ClassDecorator {
  const roles = options.roles ?? [];
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && r.length > 0)) {
    throw new Error('@RequireAccessToken({ roles }) needs an array of role names');
  }
  return applyDecorators(
    ...(roles.length ? [SetMetadata(REQUIRED_ROLES_KEY, [...roles]), ApiForbiddenResponse({ description: `Needs one of the roles: ${roles.join(', ')}` })] : []),
    UseGuards(AccessTokenGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No access token, or one that is invalid or expired (`WWW-Authenticate: Bearer`)' }),
    ApiServiceUnavailableResponse({ description: 'The issuer\'s key set cannot be fetched; retry (`Retry-After`)' }),
  );
}

/**
 * The verified caller of a `@RequireAccessToken()` route: `{ userId, sessionId, roles, claims }`.
 * @example `@Get('me') me(@AccessTokenPrincipal() caller: AccessTokenPrincipal) { return caller.userId; }`
 */
export const AccessTokenPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal =>
  accessTokenPrincipalOf(ctx.switchToHttp().getRequest<Request>()),
);
/** The decorator's value has the decorator's name: `@AccessTokenPrincipal() caller: AccessTokenPrincipal`. */
export type AccessTokenPrincipal = Principal;
