import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/**
 * An HttpException with a machine-readable `code` (docs/API.md § Conventions) and optional headers
 * (`WWW-Authenticate`, `Retry-After`) that the global filter copies onto the response.
 */
export class CodedHttpException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ statusCode: status, message, error: STATUS_CODES[status], code }, status);
  }
}
