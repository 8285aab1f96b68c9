import { DynamicModule, Module } from '@nestjs/common';
import type { Request } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

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
 * Structured JSON logs (pino) with a request id on every line: the caller's `X-Request-Id` when
 * it is a plain token, else a new UUID, echoed back in the response header.
 * Request and response serializers keep an allow-list (method, path, status, ids): headers —
 * and so cookies, Authorization and CSRF tokens — never reach the log; bodies are never logged.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
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
          },
        }),
      ],
    };
  }
}

