/* eslint-disable @typescript-eslint/no-unsafe-function-type -- controllers and handlers are plain functions here */
import { INestApplication } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
type ResponseObject = Extract<Operation['responses'][string], { description: string }>;
import { STATUS_CODES } from 'node:http';
import { AuthStrategy } from '../auth.types';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AuthenticationGuard } from '../guards/authentication.guard';
import { CSRF_HEADER } from '../csrf/csrf.guard';
import { SessionService } from '../sessions/session.service';
import { TokenCookies } from '../tokens/token-cookies';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { JsonBodyGuard } from '../http/json-body.guard';
import { BUILT_IN_ENDPOINT } from '../http/validation.pipe';
import { LocalAuthGuard } from '../guards/local-auth.guard';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);
const SECURITY_SCHEME = { [AuthStrategy.Session]: 'session', [AuthStrategy.Jwt]: 'bearer', [AuthStrategy.ApiKey]: 'apiKey' } as const;

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
  const tokenCookies = app.get(TokenCookies);
  document.components ??= {};
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /auth/token.' },
    session: { type: 'apiKey', in: 'cookie', name: sessions.cookieName, description: 'Session cookie from POST /auth/session/login.' },
    accessCookie: {
      type: 'apiKey',
      in: 'cookie',
      name: tokenCookies.accessName,
      description: 'Access token in its HttpOnly cookie, from POST /auth/token with `transport: "cookie"` (the browser transport for JWT).',
    },
    apiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description: 'An API key (`nda_…`) from POST /auth/api-keys; `Authorization: Bearer nda_…` works too. Limited to its scopes.',
    },
  };
  applyAuthToDocument(app, document);
  return document;
}

function applyAuthToDocument(app: INestApplication, document: OpenAPIObject): void {
  const guard = app.get(AuthenticationGuard);
  const options = app.get<AuthOptions>(AUTH_OPTIONS);
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
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, op] of Object.entries(pathItem) as Array<[string, Operation]>) {
      const found = op?.operationId ? handlers.get(op.operationId) : undefined;
      if (!found) continue;
      describeOperation(document, method, op, found, guard, options);
    }
  }
}

/** One error response: the error schema, and an example for each `code` it can carry. */
export function errorResponse(status: number, description: string, codes: Array<string | undefined>): ResponseObject {
  const examples: Record<string, { summary?: string; value: object }> = {};
  for (const code of codes) {
    const key = code ?? String(status);
    examples[key] = { summary: code, value: { statusCode: status, message: EXAMPLE_MESSAGES[key] ?? STATUS_CODES[status], error: STATUS_CODES[status], ...(code && { code }) } };
  }
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' }, examples } } };
}

const EXAMPLE_MESSAGES: Record<string, string | string[]> = {
  '400': ['email must be an email address'],
  '404': 'No such sign-in',
  '409': 'email is already registered',
  '413': 'request entity too large',
  '415': 'Content-Type must be application/json',
  credentials_missing: 'Authentication required',
  credentials_invalid: 'Invalid email or password',
  session_expired: 'Session expired or signed out; sign in again',
  token_expired: 'Access token expired; refresh it and retry',
  token_invalid: 'Invalid access token',
  signin_revoked: 'This sign-in was revoked; sign in again',
  csrf_failed: 'Missing or invalid X-CSRF-Token header',
  forbidden_role: 'Requires role: admin',
  rate_limited: 'Too many attempts; retry in 30 s',
  dependency_unavailable: 'A service this request needs is unavailable; try again shortly',
  email_unverified: 'Verify your email address first',
  insufficient_scope: 'This API key lacks the scope reports:read',
  reauthentication_required: 'This action needs a recent sign-in: confirm your password (POST reauthenticate) and retry',
};

type Examples = Record<string, unknown>;

/**
 * Adds a response unless the route declared it; fills in the schema and examples of a bare one,
 * and adds the examples a declared one lacks (a route's own 401 still lists the guard's codes).
 */
function addResponse(op: Operation, status: number, description: string, codes: Array<string | undefined>): void {
  const existing = op.responses[String(status)] as ResponseObject | undefined;
  const generated = errorResponse(status, description, codes);
  if (!existing) {
    op.responses[String(status)] = generated;
    return;
  }
  if (!existing.content) {
    existing.content = generated.content;
    return;
  }
  const have = (existing.content['application/json'] as { examples?: Examples } | undefined)?.examples;
  const add = (generated.content!['application/json'] as { examples: Examples }).examples;
  if (have) for (const [key, example] of Object.entries(add)) if (!(key in have) && key !== String(status)) have[key] = example;
}

type Handler = { controller: Function; handler: Function };

function describeOperation(document: OpenAPIObject, method: string, op: Operation, found: Handler, guard: AuthenticationGuard, options: AuthOptions): void {
  const route = guard.routeFor(found.handler, found.controller);
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, found.handler) ?? []) as unknown[]),
    ...((Reflect.getMetadata(GUARDS_METADATA, found.controller) ?? []) as unknown[]),
  ];
  const builtIn = Reflect.getMetadata(BUILT_IN_ENDPOINT, found.controller) === true;
  op.responses ??= {};
  const takesBody = Boolean(op.requestBody) || guards.includes(JsonBodyGuard);
  if (takesBody) {
    addResponse(op, 400, 'Invalid body (the input gate, or the schema); `message` lists every problem.', [undefined]);
    addResponse(op, 413, 'The body is larger than the limit (100 kB).', [undefined]);
  }
  if (guards.includes(JsonBodyGuard)) addResponse(op, 415, 'The body must be `application/json`.', [undefined]);
  if (builtIn) closeRequestSchema(document, op);
  if (guards.includes(LocalAuthGuard)) {
    addResponse(op, 401, '`credentials_invalid`: unknown email or wrong password (the same answer for both).', ['credentials_invalid']);
    addResponse(op, 429, '`rate_limited`: too many attempts from this IP, or the account is backing off; see `Retry-After`.', ['rate_limited']);
    if (options.lifecycle.requireVerifiedEmail) {
      addResponse(op, 403, '`email_unverified`: right password, but the email address is not verified yet (REQUIRE_VERIFIED_EMAIL).', ['email_unverified']);
    }
  }
  if (guards.includes(IpThrottleGuard)) addResponse(op, 429, '`rate_limited`: too many attempts from this IP; see `Retry-After`.', ['rate_limited']);

  if (route.public) {
    op.security = [];
  } else {
    // A route that takes JWTs takes them from `Authorization: Bearer` or from the access cookie.
    op.security = route.strategies.flatMap((s): Array<Record<string, string[]>> => (s === AuthStrategy.Jwt ? [{ bearer: [] }, { accessCookie: [] }] : [{ [SECURITY_SCHEME[s]]: [] }]));
    const how = route.strategies
      .map((s) => ({ [AuthStrategy.Session]: 'session cookie', [AuthStrategy.Jwt]: 'access token (Bearer, or its cookie)', [AuthStrategy.ApiKey]: 'API key (`X-API-Key`, or Bearer `nda_…`)' })[s])
      .join(' or ');
    op.description = [op.description, `**Authentication:** ${how}${route.strict ? ' (strict: the sign-in and user are checked on every request)' : ''}.`]
      .filter(Boolean)
      .join('\n\n');
    const codes = new Set<string>(['credentials_missing']);
    if (route.strategies.includes(AuthStrategy.Session)) codes.add('session_expired');
    if (route.strategies.includes(AuthStrategy.Jwt)) ['token_expired', 'token_invalid', 'signin_revoked'].forEach((c) => codes.add(c));
    if (route.strategies.includes(AuthStrategy.ApiKey)) codes.add('token_invalid');
    addResponse(op, 401, `Not authenticated: ${[...codes].map((c) => `\`${c}\``).join(', ')}. Only \`token_expired\` means "refresh, then retry".`, [...codes]);
    const roles = guard.rolesFor(found.handler, found.controller);
    const scopes = route.strategies.includes(AuthStrategy.ApiKey) ? guard.scopesFor(found.handler, found.controller) : [];
    // Sessions and JWTs can both arrive in cookies: unsafe methods then need the CSRF token.
    const csrf = (route.strategies.includes(AuthStrategy.Session) || route.strategies.includes(AuthStrategy.Jwt)) && UNSAFE.has(method);
    if (csrf) {
      op.parameters = [
        ...(op.parameters ?? []),
        {
          name: 'X-CSRF-Token',
          in: 'header',
          required: false,
          description: `Required when authenticated by a cookie — the session cookie or the access cookie (the token from login, refresh, or GET /auth/csrf); not needed with a Bearer token. Header: \`${CSRF_HEADER}\`.`,
          schema: { type: 'string' },
        },
      ];
    }
    if (roles.length) op.description += `\n\n**Roles:** ${roles.join(' or ')}.`;
    if (scopes.length) op.description += `\n\n**API-key scopes:** ${scopes.join(' and ')} (sessions and JWTs are not limited by scopes).`;
    if (scopes.length) op.security = op.security.map((r) => ('apiKey' in r ? { apiKey: scopes } : r));
    if (route.verified) op.description += '\n\n**Verified email** required.';
    if (route.fresh !== undefined) {
      const maxAge = route.fresh === 'default' ? options.lifecycle.freshForMs : route.fresh;
      op.description += `\n\n**Fresh sign-in:** the last authentication (login or \`POST reauthenticate\`) at most ${Math.round(maxAge / 1000)} s ago.`;
    }
    const forbidden = [
      ...(csrf ? ['csrf_failed', 'origin_rejected'] : []),
      ...(roles.length ? ['forbidden_role'] : []),
      ...(scopes.length ? ['insufficient_scope'] : []),
      ...(route.verified ? ['email_unverified'] : []),
      ...(route.fresh !== undefined ? ['reauthentication_required'] : []),
    ];
    if (forbidden.length) {
      const why: Record<string, string> = {
        csrf_failed: '`csrf_failed`: missing or wrong X-CSRF-Token (cookie credentials)',
        origin_rejected: '`origin_rejected`: a cookie-authenticated request from another site',
        forbidden_role: '`forbidden_role`: the caller lacks the role',
        insufficient_scope: '`insufficient_scope`: the API key lacks a scope (`WWW-Authenticate: Bearer error="insufficient_scope"`)',
        email_unverified: '`email_unverified`: the caller has not verified their email address',
        reauthentication_required: '`reauthentication_required`: the sign-in is not fresh; confirm the password (`POST reauthenticate`) and retry',
      };
      addResponse(op, 403, forbidden.map((c) => why[c]).join('; ') + '.', forbidden);
    }
  }
  // Anything that may touch PostgreSQL or Redis: protected routes, throttled ones, writes.
  if (!route.public || guards.includes(IpThrottleGuard) || guards.includes(LocalAuthGuard) || (builtIn && method !== 'get')) {
    addResponse(op, 503, '`dependency_unavailable`: PostgreSQL or Redis is unreachable or too slow; see `Retry-After`.', ['dependency_unavailable']);
  }
  // Declared by the route without a body schema (e.g. `@ApiConflictResponse`): give it the error shape.
  for (const [status, response] of Object.entries(op.responses) as Array<[string, ResponseObject]>) {
    if (Number(status) >= 400 && !response.content) addResponse(op, Number(status), response.description, [undefined]);
  }
}

/**
 * The module's DTOs refuse unknown properties (400): say so in their schemas, so generated
 * clients and fuzzers know.
 */
function closeRequestSchema(document: OpenAPIObject, op: Operation): void {
  const schema = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)?.content?.['application/json']?.schema;
  const name = schema?.$ref?.split('/').pop();
  const target = name ? (document.components?.schemas?.[name] as { additionalProperties?: boolean } | undefined) : undefined;
  if (target) target.additionalProperties = false;
}

/**
 * Declares an error response of a route with its `code`s, each with an example — for the answers
 * the generic rules above cannot know (e.g. a refresh's 401).
 */
export const ApiErrorResponse = (status: number, description: string, codes: Array<string | undefined> = [undefined]) =>
  ApiResponse({ status, ...errorResponse(status, description, codes) });
