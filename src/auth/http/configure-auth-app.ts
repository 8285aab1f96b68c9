import type { INestApplication } from '@nestjs/common';
import { json } from 'express';
import helmet from 'helmet';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { applyHttpTimeouts, HttpTimeouts } from './http-timeouts';
import { inputGate, verifyJsonBytes } from './input-gate';

export interface ConfigureAuthAppOptions {
  /** Bodies above this are refused with 413 before any parsing work. Default `'100kb'`. */
  bodyLimit?: string | number;
  /** Express `trust proxy` (e.g. `'loopback'`): only then are `X-Forwarded-*` believed. Default: unchanged. */
  trustProxy?: boolean | number | string;
  /** Node's HTTP server timeouts; `false` leaves Node's defaults. Default 65 s / 66 s / 70 s. */
  httpTimeouts?: HttpTimeouts | false;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { keepAliveTimeoutMs: 65_000, headersTimeoutMs: 66_000, requestTimeoutMs: 70_000 };

/**
 * The HTTP side a host adds once, after creating its app and before `listen()` (the standalone
 * app and every test use it too). In order:
 * - no `X-Powered-By`; `trust proxy` when given; load-balancer-friendly server timeouts;
 * - helmet's headers (a strict CSP, nosniff, frame denial, HSTS) and `Cache-Control: no-store`,
 *   precomputed once and set in one step; no ETags (nothing is cacheable);
 * - credentialed CORS for the module's `corsOrigins` only;
 * - the JSON body parser with the size limit and the input gate's byte checks, then the input
 *   gate itself (nesting, NUL, unpaired surrogates, invalid UTF-8, `__proto__` keys → 400);
 *   no urlencoded parsing of its own (Nest's parsers, if on, skip bodies already parsed);
 * - the exception filter that gives errors the contract's shape (`code`, `Retry-After`,
 *   `WWW-Authenticate`, 503 for dependency outages, never a stack trace). Register your own
 *   global filters after this call if you have any.
 */
type Middleware = (req: never, res: never, next: (err?: unknown) => void) => void;

/**
 * The headers a middleware sets on every response, read once by running it against a recording
 * response: helmet's are fixed for a given configuration (no nonces), so instead of its twelve
 * middlewares per request, one `setHeaders` of the same names and values. Refuses a middleware
 * whose headers would depend on the request (it must set them synchronously and remove none).
 */
export function fixedHeaders(middleware: Middleware): Map<string, string> {
  const headers = new Map<string, string>();
  let nextCalled = false;
  const recorder = {
    setHeader: (name: string, value: string | number | string[]) => void headers.set(name, Array.isArray(value) ? value.join(', ') : String(value)),
    getHeader: () => undefined,
    removeHeader: (name: string) => void headers.delete(name),
  };
  middleware({ method: 'GET', url: '/', headers: {} } as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    nextCalled = true;
  });
  if (!nextCalled) throw new Error('fixedHeaders: the middleware did not finish synchronously');
  return headers;
}

export function configureAuthApp<T extends INestApplication>(app: T, options: ConfigureAuthAppOptions = {}): T {
  const auth = app.get<AuthOptions>(AUTH_OPTIONS);
  const express = app.getHttpAdapter().getInstance() as { disable(k: string): void; set(k: string, v: unknown): void };
  express.disable('x-powered-by');
  if (options.trustProxy !== undefined) express.set('trust proxy', options.trustProxy);
  if (options.httpTimeouts !== false) applyHttpTimeouts(app.getHttpServer() as Server, options.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS);
  // Over plain HTTP (development) the CSP must not ask browsers to upgrade requests to HTTPS, or
  // pages such as /docs could not load their assets.
  const headers = fixedHeaders(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: auth.cookie.secure ? [] : null } } }));
  // Responses carry user data and credentials: no shared or browser caching unless a route says so
  // — and so no ETag either (Express would hash every response body to make one).
  headers.set('Cache-Control', 'no-store');
  express.set('etag', false);
  const parseJson = json({ limit: options.bodyLimit ?? '100kb', strict: true, verify: verifyJsonBytes });
  // One middleware, not four: every fixed header in one step (helmet's twelve, then ours), then —
  // only when the request has a body — the JSON parser and the input gate.
  app.use((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => {
    res.setHeaders(headers);
    if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) return next();
    parseJson(req, res, (err?: unknown) => (err ? next(err) : inputGate(req as never, res as never, next)));
  });
  if (auth.corsOrigins.length) {
    // Credentialed CORS only for the listed origins; everyone else gets no CORS headers at all.
    app.enableCors({
      origin: auth.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Request-Id'],
      // Page scripts on an allowed origin may read these (else a 429's Retry-After reads null).
      exposedHeaders: ['Retry-After', 'WWW-Authenticate', 'X-Request-Id'],
      maxAge: 600,
    });
  }
  app.useGlobalFilters(new AllExceptionsFilter());
  return app;
}
