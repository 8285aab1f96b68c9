import { LogLevel } from '@nestjs/common';
import type { ModuleImport } from './app.module';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import helmet from 'helmet';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { createValidationPipe } from './common/validation/validation.pipe';
import { inputGate, verifyJsonBytes } from './common/input-gate';
import { applyHttpTimeouts } from './common/http-timeouts';
import { setupOpenApi } from './openapi/openapi.setup';

/** Request bodies above this are refused with 413 before any parsing work. */
export const BODY_LIMIT = '100kb';

/**
 * Everything between "the module graph exists" and "listen": used by main.ts and by every e2e
 * test, so tests exercise exactly the middleware, pipes and filters production runs.
 * The app must be created with `{ bodyParser: false }` (see `createApp`).
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.disable('x-powered-by');
  applyHttpTimeouts(app.getHttpServer(), config.http);
  app.set('trust proxy', config.trustProxy);
  // Security headers (nosniff, frame denial, HSTS, a locked-down CSP — Swagger UI at /docs loads
  // only its own files, so 'self' suffices). Over plain HTTP (development) the CSP must not ask
  // browsers to upgrade requests to HTTPS, or /docs could not load its assets.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: config.cookie.secure ? [] : null } } }));
  if (config.corsOrigins.length) {
    // Credentialed CORS only for the listed origins; everyone else gets no CORS headers at all.
    app.enableCors({
      origin: config.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token'],
      maxAge: 600,
    });
  }
  // JSON only: no urlencoded parser, so form posts never reach a handler as data. The input gate
  // (depth, encoding, NUL, prototype keys) runs on every body before any handler or pipe.
  app.use(json({ limit: BODY_LIMIT, strict: true, verify: verifyJsonBytes }));
  app.use(inputGate);
  app.use((_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
    // Responses carry user data and credentials: no shared or browser caching unless a route says so.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  setupOpenApi(app);
  return app;
}

/** Builds the whole app on a database URL, configured exactly as in production. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: { logger?: LogLevel[] | false; imports?: ModuleImport[] } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl, options.imports), {
    bodyParser: false,
    bufferLogs: options.logger !== false,
    abortOnError: false, // throw instead of exiting, so callers (main.ts, tests) decide
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  if (options.logger !== false) app.useLogger(app.get(PinoLogger)); // JSON logs from here on
  return configureApp(app, config);
}
