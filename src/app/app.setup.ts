import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addAuthToOpenApi, configureAuthApp, ErrorDto, FastExpressAdapter } from '../index';
import { AppModule, ModuleImport } from './app.module';
import { AppConfig } from './config/app-config';
import { PinoLoggerService, REQUEST_LOGGING } from './logging/logging.module';
import { createValidationPipe } from './validation';

/**
 * Builds the whole app on a database URL, configured exactly as in production: used by main.ts
 * and by every e2e test, so tests exercise the middleware, pipes and filters production runs.
 * The auth module's HTTP side comes from `configureAuthApp()`, as in any host app.
 */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: {
    logger?: LogLevel[] | false;
    imports?: ModuleImport[];
    /** Middleware put before everything else (tests record every response with it). */
    observe?: (req: Request, res: Response, next: NextFunction) => void;
  } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl, options.imports), new FastExpressAdapter(), {
    bodyParser: false, // JSON only (configureAuthApp's parser): form posts never reach a handler as data
    bufferLogs: options.logger !== false,
    abortOnError: false, // throw instead of exiting, so callers (main.ts, tests) decide
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  if (options.logger !== false) app.useLogger(app.get(PinoLoggerService)); // JSON logs from here on
  if (options.observe) app.use(options.observe);
  app.use(app.get(REQUEST_LOGGING)); // first: every request gets its line, refused ones too
  configureAuthApp(app, { trustProxy: config.trustProxy, httpTimeouts: config.http });
  // The app's own routes (the examples) are validated like the module's.
  app.useGlobalPipes(createValidationPipe());
  if (config.openApiEnabled) setupOpenApi(app);
  return app;
}

/** `/docs` (Swagger UI) and `/docs-json`: the app's document, with the auth module's security added. */
function setupOpenApi(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('nest-dual-auth')
    .setDescription(
      'Sessions (HttpOnly cookie + CSRF token) and JWT (Bearer access tokens + rotating refresh tokens) side by side, ' +
        'chosen per route. Error responses carry a machine-readable `code`; only `token_expired` means "refresh, then retry".',
    )
    .setVersion('1.0')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorDto],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}`,
  });
  SwaggerModule.setup('docs', app, addAuthToOpenApi(app, document), { jsonDocumentUrl: 'docs-json', customSiteTitle: 'nest-dual-auth API' });
}
