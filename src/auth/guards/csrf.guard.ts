import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CodedHttpException } from '../http/http-errors';
import { AuthErrorCode, AuthStrategy } from '../auth.types';
import { sessionAuthOf } from '../sessions/session-record';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Synchronizer-token CSRF defence for cookie-authenticated requests: every unsafe method must
 * echo the session's token in `X-CSRF-Token`. A cross-site page can make the browser send the
 * cookie but cannot read the token. Bearer requests are exempt (browsers never attach them).
 * Written here rather than with csrf-sync because it must run only after the guard knows the
 * request was cookie-authenticated, and the token lives in our session record.
 */
export function assertCsrf(req: Request): void {
  if (req.auth?.strategy !== AuthStrategy.Session || SAFE_METHODS.has(req.method)) return;
  const expected = sessionAuthOf(req)?.csrfToken;
  const presented = req.get(CSRF_HEADER);
  if (!expected || !presented || !constantTimeEqual(presented, expected)) {
    throw new CodedHttpException(HttpStatus.FORBIDDEN, AuthErrorCode.CsrfFailed, 'Missing or invalid X-CSRF-Token header');
  }
}

/** Compares digests so neither content nor length leaks through timing. */
function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** For `@UseGuards()` users; the global guard applies the same check itself. */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    assertCsrf(context.switchToHttp().getRequest<Request>());
    return true;
  }
}
