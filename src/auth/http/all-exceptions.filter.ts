import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { isDependencyUnavailable } from '../persistence/errors';

/** Seconds a client should wait after a 503 before retrying. */
export const RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
  /** Machine-readable reason for auth failures (docs/API.md § Conventions). */
  code?: string;
}

/**
 * The one place that owns the error shape: NestJS's `{statusCode, message, error}` plus `code`.
 * Unknown errors become a logged 500 with a generic body (never a stack trace); a lost database
 * or Redis connection becomes 503 `dependency_unavailable` with `Retry-After`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.toResponse(exception);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const body: ErrorBody =
        typeof response === 'string'
          ? { statusCode: status, message: response, error: STATUS_CODES[status] ?? 'Error' }
          : {
              statusCode: status,
              error: STATUS_CODES[status] ?? 'Error',
              ...(response as Partial<ErrorBody>),
              message: (response as Partial<ErrorBody>).message ?? exception.message,
            };
      const headers = (exception as { headers?: Record<string, string> }).headers ?? {};
      return { status, body, headers };
    }
    if (isDependencyUnavailable(exception)) {
      this.logger.warn(`dependency unavailable: ${describe(exception)}`);
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: {
          statusCode: 503,
          message: 'A service this request needs is unavailable; try again shortly',
          error: 'Service Unavailable',
          code: 'dependency_unavailable',
        },
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      };
    }
    // Name, message and stack only: driver errors also carry query parameters (hashes, tokens).
    this.logger.error(describe(exception), exception instanceof Error ? exception.stack : undefined);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' },
      headers: {},
    };
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err;
}
