import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import * as http from 'node:http';
import * as https from 'node:https';

/**
 * Nest's `ExpressAdapter`, with one change: its HTTP server builds every request and response with
 * Express's prototypes (`app.request`, `app.response`) from the start.
 *
 * Why: Express 5 calls `Object.setPrototypeOf(req, app.request)` (and the same on `res`) on every
 * request. In V8 an object whose prototype was changed leaves the shared map tree: every property
 * Express, Nest and the app then add to that `req` and `res` (`originalUrl`, `params`, `route`,
 * `statusCode`, `locals`, `auth`, …) builds a new hidden class, and every property read on them
 * misses the inline caches. Measured (BENCHMARKS.md, 2026-12-07): an Express 5 hello route serves
 * ~2.2× the requests per second on Node 20 once `setPrototypeOf` finds the prototype already in
 * place — which it does here, as Node's `http.createServer({ IncomingMessage, ServerResponse })`
 * creates them with it. Nothing else changes: `req instanceof http.IncomingMessage` still holds,
 * and Express still sets the prototypes (now a no-op).
 *
 * @example
 * ```ts
 * const app = await NestFactory.create<NestExpressApplication>(AppModule, new FastExpressAdapter());
 * ```
 */
export class FastExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // ExpressAdapter's own server setup does the rest (the 503 while closing); its server is not
    // used: the one below replaces it before anything listens.
    super.initHttpServer({ ...options, httpsOptions: undefined, forceCloseConnections: false });
    const app = this.getInstance<Express>();
    const classes = serverClasses(app);
    this.httpServer = options.httpsOptions ? https.createServer({ ...options.httpsOptions, ...classes }, app) : http.createServer(classes, app);
    // ExpressAdapter tracks connections (to close them on app.close()) on `this.httpServer`.
    if (options.forceCloseConnections) (this as unknown as { trackOpenConnections(): void }).trackOpenConnections();
  }
}

/**
 * Node's server classes for `app`: subclasses of `IncomingMessage` and `ServerResponse` whose
 * prototypes sit on Express's (`app.request`, `app.response`) — which then become these two, so
 * Express's per-request `setPrototypeOf` finds them already in place. Express's request and
 * response methods, and anything an app adds to `app.request` / `app.response` later, are where
 * they were on the chain.
 *
 * Classes (`extends`), not ordinary functions given Express's prototypes: V8 sizes a derived
 * class's objects for its base constructor's properties, and an ordinary function that applies
 * the base to `this` got objects sized for none — a request or response, ~40 properties from
 * Node, Express and Nest, then went to dictionary mode (a hash table per object). Found on
 * 2026-12-07, when the hidden-class test failed once in CI: V8 keeps one map for like
 * dictionary-mode objects only until a GC clears that cache (test/http-adapter.e2e-spec.ts now
 * also checks that the objects keep fast properties).
 */
export function serverClasses(app: Express): { IncomingMessage: typeof http.IncomingMessage; ServerResponse: typeof http.ServerResponse } {
  const IncomingMessage = class extends http.IncomingMessage {};
  const ServerResponse = class extends http.ServerResponse {};
  Object.setPrototypeOf(IncomingMessage.prototype, app.request);
  Object.setPrototypeOf(ServerResponse.prototype, app.response);
  app.request = IncomingMessage.prototype as unknown as Express['request'];
  app.response = ServerResponse.prototype as unknown as Express['response'];
  // (Node's typing of ServerResponse is generic over the request type; the subclass is not.)
  return { IncomingMessage, ServerResponse: ServerResponse as unknown as typeof http.ServerResponse };
}
