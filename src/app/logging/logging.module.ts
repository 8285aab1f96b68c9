import { DynamicModule, Inject, Injectable, LoggerService, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Logger } from 'pino';
import pinoHttp from 'pino-http';
import { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Nest's contexts that log one line per module, controller and route at startup. */
const BOOT_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** The root logger: JSON lines on stdout, or pino-pretty's readable ones (development, a terminal). */
function rootLogger(config: AppConfig): Logger {
  if (config.logFormat === 'json') return pino({ level: config.logLevel });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a development dependency, loaded only when asked for
  const pretty = require('pino-pretty') as (o: object) => NodeJS.WritableStream;
  return pino({ level: config.logLevel }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
}
const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** The request's logger (carrying its `reqId`), so lines logged while serving it say which request. */
const requestLogger = new AsyncLocalStorage<Logger>();

/** pino-http hands over a fresh object for each completion line: add the caller to it in place. */
function withCaller(req: IncomingMessage, line: Record<string, unknown>): object {
  const auth = (req as Request).auth;
  if (auth) {
    line.userId = auth.user.id;
    line.strategy = auth.strategy;
  }
  return line;
}

/**
 * Nest's logger on pino: JSON lines, with `context` and — inside a request — its `reqId`.
 * Objects are logged as fields (auth events), strings as `msg`.
 */
@Injectable()
export class PinoLoggerService implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  /** Nest calls `error(message, stack?, context?)`. */
  error(message: unknown, ...rest: unknown[]): void {
    const context = rest.length ? rest[rest.length - 1] : undefined;
    const stack = rest.length > 1 ? rest[0] : undefined;
    const logger = requestLogger.getStore() ?? this.root;
    const fields: Record<string, unknown> = { context };
    if (typeof stack === 'string') fields.err = { message: typeof message === 'string' ? message : undefined, stack };
    if (message && typeof message === 'object') logger.error({ ...fields, ...(message as object) });
    else logger.error(fields, String(message));
  }

  private write(requested: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    const logger = requestLogger.getStore() ?? this.root;
    const context = rest.length ? rest[rest.length - 1] : undefined;
    // Nest's boot chatter (a line per module and per route) is for debugging, not every start.
    const level = requested === 'info' && typeof context === 'string' && BOOT_CHATTER.has(context) ? 'debug' : requested;
    if (!logger.isLevelEnabled(level)) return;
    if (message && typeof message === 'object') logger[level]({ context, ...(message as object) });
    else logger[level]({ context }, String(message));
  }
}

/**
 * Structured JSON logs (pino) with a request id on every line: the caller's `X-Request-Id` when
 * it is a plain token, else a new UUID, echoed back in the response header. One line per request
 * (method, path, status, time, and the caller once known). Request and response serializers keep
 * an allow-list: headers — and so cookies, Authorization and CSRF tokens — never reach the log;
 * bodies are never logged.
 */
/**
 * Structured JSON logs (pino) with a request id on every line: the caller's `X-Request-Id` when
 * it is a plain token, else a new UUID, echoed back in the response header. One line per request
 * (method, path, status, time, and the caller once known). Request and response serializers keep
 * an allow-list: headers — and so cookies, Authorization and CSRF tokens — never reach the log;
 * bodies are never logged.
 */
export function requestLogging(root: Logger): (req: Request, res: Response, next: NextFunction) => void {
  const http = pinoHttp({
    logger: root,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
        ip: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Who, when known (set by the auth guard); never how they proved it. Added to the
    // completion line itself: `customProps` would build child loggers on every request.
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, line: Record<string, unknown>) => withCaller(req, line),
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, _err: Error, line: Record<string, unknown>) => withCaller(req, line),
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    quietReqLogger: true,
  });
  return (req, res, next) => http(req, res, () => requestLogger.run(req.log, next));
}

export const REQUEST_LOGGING = Symbol('REQUEST_LOGGING');

/** The root pino logger, Nest's logger on it, and the request-logging middleware (`app.use` it first). */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: rootLogger(config) },
        PinoLoggerService,
        { provide: REQUEST_LOGGING, inject: [ROOT_LOGGER], useFactory: requestLogging },
      ],
      exports: [PinoLoggerService, REQUEST_LOGGING],
    };
  }
}
