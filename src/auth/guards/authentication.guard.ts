/* eslint-disable @typescript-eslint/no-unsafe-function-type -- Nest's reflector works on handler/class functions */
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AUTH_ROUTING, ResolvedRouting } from '../auth.options';
import { AuthRouteMetadata, AuthStrategy, AuthStrategyName } from '../auth.types';
import type { RouteAuthOptions } from '../strategies/request-strategy';
import { AuthenticationService } from '../authentication.service';
import { AUTH_ROUTE_KEY, ROLES_KEY, SCOPES_KEY } from '../decorators/metadata-keys';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { assertCookieRequestAllowed } from '../csrf/csrf.guard';
import { assertRoles } from './roles.guard';
import { assertScopes } from './scopes.guard';
import { assertRouteRequirements, strategyOptionsFor } from './route-requirements';

const CHECKED = Symbol('nda.authChecked');

/**
 * The global guard: deny by default. For each route it reads `@Public()` / `@Auth()` (method over
 * class; undecorated routes use the module's default strategies), authenticates through the
 * strategy chain, then applies the CSRF rule and `@Roles()`.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly defaultRoute: AuthRouteMetadata;
  /** Decorator metadata never changes at run time: resolve it once per handler. */
  private readonly resolved = new WeakMap<Function, { route: AuthRouteMetadata; roles: string[]; scopes: string[]; options?: RouteAuthOptions }>();
  private readonly origins: ReadonlySet<string>;
  private readonly freshForMs: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    @Inject(AUTH_ROUTING) routing: ResolvedRouting,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.origins = new Set(options.corsOrigins);
    this.freshForMs = options.lifecycle.freshForMs;
    const available = authentication.available;
    const strategies = routing.defaultStrategies.filter((s) => available.includes(s));
    this.defaultRoute = { strategies, strict: false };
  }

  /**
   * How a route authenticates: its `@Public()` / `@Auth()` (method over class), else the defaults.
   * The OpenAPI document reads the same answer, so docs and guard cannot disagree.
   */
  routeFor(handler: Function, controller: Function): AuthRouteMetadata {
    return this.reflector.getAllAndOverride<AuthRouteMetadata | undefined>(AUTH_ROUTE_KEY, [handler, controller]) ?? this.defaultRoute;
  }

  rolesFor(handler: Function, controller: Function): string[] {
    return this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [handler, controller]) ?? [];
  }

  scopesFor(handler: Function, controller: Function): string[] {
    return this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, [handler, controller]) ?? [];
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let resolved = this.resolved.get(handler);
    if (!resolved) {
      const controller = context.getClass();
      const route = this.routeFor(handler, controller);
      resolved = { route, roles: this.rolesFor(handler, controller), scopes: this.scopesFor(handler, controller), options: route.public ? undefined : strategyOptionsFor(route) };
      this.resolved.set(handler, resolved);
    }
    const { route, roles, scopes, options } = resolved;
    if (route.public) return true;
    // `@Auth()` / `@Roles()` also put this guard on their routes (so they stay protected without
    // the global guard); when both run, they share Nest's one context for the request, and the
    // second has nothing left to do. The mark goes on that small context object, not on the
    // request: a new property on Express's request object copies its large property store.
    const checked = context as ExecutionContext & { [CHECKED]?: true };
    if (checked[CHECKED]) return true;
    checked[CHECKED] = true;
    const req = context.getArgByIndex<Request>(0);
    const authenticated = this.authentication.authenticate(req, context.getArgByIndex<Response>(1), route.strategies, options!);
    if (authenticated instanceof Promise) return authenticated.then(() => this.assertAccess(req, route, roles, scopes));
    return this.assertAccess(req, route, roles, scopes);
  }

  /** After authentication: the origin and CSRF rule for cookie credentials, `@Roles()`, `@Scopes()`, then `verified`/`fresh`. */
  private assertAccess(req: Request, route: Exclude<AuthRouteMetadata, { public: true }>, roles: string[], scopes: string[]): true {
    assertCookieRequestAllowed(req, this.origins);
    assertRoles(req, roles);
    assertScopes(req, scopes);
    assertRouteRequirements(req, route, this.freshForMs);
    return true;
  }
}

/** Base of the plain one-strategy guards, for teams that prefer `@UseGuards(...)`. */
abstract class SingleStrategyGuard implements CanActivate {
  protected abstract readonly strategy: AuthStrategyName;
  private readonly origins: ReadonlySet<string>;
  private readonly freshForMs: number;

  constructor(
    private readonly authentication: AuthenticationService,
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.origins = new Set(options.corsOrigins);
    this.freshForMs = options.lifecycle.freshForMs;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (req.auth?.strategy === this.strategy) return true; // the global guard already did it
    const found = this.reflector.getAllAndOverride<AuthRouteMetadata | undefined>(AUTH_ROUTE_KEY, [context.getHandler(), context.getClass()]);
    const route = found && !found.public ? found : { strategies: [this.strategy], strict: false };
    await this.authentication.authenticate(req, http.getResponse<Response>(), [this.strategy], strategyOptionsFor(route));
    assertCookieRequestAllowed(req, this.origins);
    assertRouteRequirements(req, route, this.freshForMs);
    return true;
  }
}

/** `@UseGuards(SessionAuthGuard)`: session cookie only (with the CSRF rule). */
@Injectable()
export class SessionAuthGuard extends SingleStrategyGuard {
  protected readonly strategy = AuthStrategy.Session;
}

/** `@UseGuards(JwtAuthGuard)`: the access token, from `Authorization: Bearer` or its cookie (with the CSRF rule). */
@Injectable()
export class JwtAuthGuard extends SingleStrategyGuard {
  protected readonly strategy = AuthStrategy.Jwt;
}

/** `@UseGuards(ApiKeyAuthGuard)`: an API key, from `Authorization: Bearer nda_…` or `X-API-Key` (add `ScopesGuard` for scopes). */
@Injectable()
export class ApiKeyAuthGuard extends SingleStrategyGuard {
  protected readonly strategy = AuthStrategy.ApiKey;
}
