/* eslint-disable @typescript-eslint/no-unsafe-function-type -- controllers and handlers are plain functions here */
import { INestApplication } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AuthStrategy } from '../auth.types';
import { AuthenticationGuard } from '../guards/authentication.guard';
import { CSRF_HEADER } from '../guards/csrf.guard';
import { SessionService } from '../sessions/session.service';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { JsonBodyGuard } from '../http/json-body.guard';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);
const SECURITY_SCHEME = { [AuthStrategy.Session]: 'session', [AuthStrategy.Jwt]: 'bearer' } as const;

/**
 * Adds the module's security to an OpenAPI document built from the host's app (with
 * `SwaggerModule.createDocument`): the `bearer` and `session` schemes, and — computed from the very
 * `@Public()` / `@Auth()` / `@Roles()` metadata the global guard enforces
 * (`AuthenticationGuard.routeFor`), so docs and guards cannot disagree — each operation's
 * security requirement, the `X-CSRF-Token` header on cookie-authenticated unsafe operations, and
 * the error responses it can produce (401/403/429/503 with `code`). Include `ErrorDto` in the
 * document's `extraModels`.
 *
 * @example
 * ```ts
 * const document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), { extraModels: [ErrorDto] });
 * SwaggerModule.setup('docs', app, addAuthToOpenApi(app, document));
 * ```
 */
export function addAuthToOpenApi(app: INestApplication, document: OpenAPIObject): OpenAPIObject {
  const sessions = app.get(SessionService);
  document.components ??= {};
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /auth/token.' },
    session: { type: 'apiKey', in: 'cookie', name: sessions.cookieName, description: 'Session cookie from POST /auth/session/login.' },
  };
  applyAuthToDocument(app, document);
  return document;
}

function applyAuthToDocument(app: INestApplication, document: OpenAPIObject): void {
  const guard = app.get(AuthenticationGuard);
  const handlers = new Map<string, { controller: Function; handler: Function }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function;
      // Built-in controllers are mounted as subclasses: their handlers live up the prototype chain.
      for (let proto = controller.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const key of Object.getOwnPropertyNames(proto)) {
          const handler = (proto as Record<string, unknown>)[key];
          const id = `${controller.name}_${key}`;
          if (typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler) && !handlers.has(id)) {
            handlers.set(id, { controller, handler });
          }
        }
      }
    }
  }
  const errorRef = { $ref: '#/components/schemas/ErrorDto' };
  const error = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

  for (const pathItem of Object.values(document.paths)) {
    for (const [method, op] of Object.entries(pathItem) as Array<[string, Operation]>) {
      const found = op?.operationId ? handlers.get(op.operationId) : undefined;
      if (!found) continue;
      const route = guard.routeFor(found.handler, found.controller);
      const guards = (Reflect.getMetadata(GUARDS_METADATA, found.handler) ?? []) as unknown[];
      op.responses ??= {};
      if (route.public) {
        op.security = [];
      } else {
        op.security = route.strategies.map((s) => ({ [SECURITY_SCHEME[s]]: [] }));
        const how = route.strategies.map((s) => (s === AuthStrategy.Session ? 'session cookie' : 'Bearer access token')).join(' or ');
        op.description = [op.description, `**Authentication:** ${how}${route.strict ? ' (strict: the sign-in and user are checked on every request)' : ''}.`]
          .filter(Boolean)
          .join('\n\n');
        op.responses['401'] ??= error('Not authenticated (`credentials_missing`, `session_expired`, `token_expired`, `token_invalid`, `signin_revoked`).');
        const roles = guard.rolesFor(found.handler, found.controller);
        const csrf = route.strategies.includes(AuthStrategy.Session) && UNSAFE.has(method);
        if (csrf) {
          op.parameters = [
            ...(op.parameters ?? []),
            {
              name: 'X-CSRF-Token',
              in: 'header',
              required: false,
              description: `Required when authenticated by the session cookie (the token from login or GET /auth/csrf); not needed with a Bearer token. Header: \`${CSRF_HEADER}\`.`,
              schema: { type: 'string' },
            },
          ];
        }
        if (roles.length) op.description += `\n\n**Roles:** ${roles.join(' or ')}.`;
        if (csrf || roles.length) {
          op.responses['403'] ??= error([csrf && '`csrf_failed`: missing or wrong X-CSRF-Token', roles.length && '`forbidden_role`'].filter(Boolean).join('; ') + '.');
        }
      }
      if (guards.includes(JsonBodyGuard)) {
        op.responses['400'] ??= error('Invalid body; `message` lists every problem.');
        op.responses['415'] ??= error('The body must be `application/json`.');
      }
      if (guards.includes(IpThrottleGuard)) op.responses['429'] ??= error('`rate_limited`; see `Retry-After`.');
      if (!route.public || guards.includes(IpThrottleGuard)) {
        op.responses['503'] ??= error('`dependency_unavailable`: PostgreSQL or Redis is unreachable; see `Retry-After`.');
      }
    }
  }
}

