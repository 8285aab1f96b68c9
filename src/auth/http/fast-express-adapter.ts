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
    const classes = { IncomingMessage: withPrototype(http.IncomingMessage, app.request), ServerResponse: withPrototype(http.ServerResponse, app.response) };
    this.httpServer = options.httpsOptions ? https.createServer({ ...options.httpsOptions, ...classes }, app) : http.createServer(classes, app);
    // ExpressAdapter tracks connections (to close them on app.close()) on `this.httpServer`.
    if (options.forceCloseConnections) (this as unknown as { trackOpenConnections(): void }).trackOpenConnections();
  }
}

/**
 * A constructor for Node's server (`new C(socket)` / `new C(req, options)`): runs `base` on the new
 * object, whose prototype is `prototype` (Express's `app.request` / `app.response`, which inherit
 * from `base.prototype`).
 */
export function withPrototype<T extends typeof http.IncomingMessage | typeof http.ServerResponse>(base: T, prototype: object): T {
  function Subclass(this: unknown, ...args: unknown[]) {
    (base as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  Subclass.prototype = prototype;
  return Subclass as unknown as T;
}
