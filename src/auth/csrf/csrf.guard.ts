import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AuthErrorCode } from '../auth.types';
import { CodedHttpException } from '../http/http-errors';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A credential that arrived in a cookie — the session cookie, the access-token cookie, the
 * refresh cookie. Browsers attach cookies to requests other sites make, so such a request must
 * prove it came from our own pages: `csrfValid` checks its `X-CSRF-Token`.
 */
export interface CookieCredential {
  csrfValid(presented: string): boolean;
}

const COOKIE_CREDENTIAL = Symbol('nda.cookieCredential');
type WithCookieCredential = Request & { [COOKIE_CREDENTIAL]?: CookieCredential };

/** Strategies call this when the credential they accepted came from a cookie. */
export function markCookieCredential(req: Request, credential: CookieCredential): void {
  (req as WithCookieCredential)[COOKIE_CREDENTIAL] = credential;
}

export function cookieCredentialOf(req: Request): CookieCredential | undefined {
  return (req as WithCookieCredential)[COOKIE_CREDENTIAL];
}

const forbidden = (code: AuthErrorCode, message: string) => new CodedHttpException(HttpStatus.FORBIDDEN, code, message);

/**
 * The one rule for cookie-authenticated requests (sessions and JWTs in cookies alike); requests
 * authenticated by a header (`Authorization: Bearer`, an API key) are exempt, as browsers never
 * attach those on their own. For every unsafe method (POST, PUT, PATCH, DELETE):
 * 1. **Origin** (OWASP, Fetch Metadata): an `Origin` header that is neither the request's own
 *    origin nor listed in `corsOrigins` is `403 origin_rejected`; so is `Sec-Fetch-Site:
 *    cross-site` unless the `Origin` is listed — whatever the CSRF token says;
 * 2. **CSRF token**: `X-CSRF-Token` must be the sign-in's token, else `403 csrf_failed`. A page on
 *    another site can make the browser send our cookies, but cannot read the token.
 */
export function assertCookieRequestAllowed(req: Request, allowedOrigins: ReadonlySet<string>, credential = cookieCredentialOf(req)): void {
  if (!credential || SAFE_METHODS.has(req.method)) return;
  const origin = req.get('origin');
  const listed = origin !== undefined && allowedOrigins.has(origin);
  if (origin !== undefined && !listed && origin !== ownOrigin(req)) {
    throw forbidden(AuthErrorCode.OriginRejected, `Requests from ${origin} may not use cookie credentials here`);
  }
  if (req.get('sec-fetch-site') === 'cross-site' && !listed) {
    throw forbidden(AuthErrorCode.OriginRejected, 'Cross-site requests may not use cookie credentials here');
  }
  const presented = req.get(CSRF_HEADER);
  if (!presented || !credential.csrfValid(presented)) {
    throw forbidden(AuthErrorCode.CsrfFailed, 'Missing or invalid X-CSRF-Token header');
  }
}

/** `scheme://host[:port]` as the client addressed us (the scheme per `trust proxy`). */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** Compares digests so neither content nor length leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** For `@UseGuards()` users; the global guard applies the same rule itself. */
@Injectable()
export class CsrfGuard implements CanActivate {
  private readonly origins: ReadonlySet<string>;

  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions) {
    this.origins = new Set(options.corsOrigins);
  }

  canActivate(context: ExecutionContext): boolean {
    assertCookieRequestAllowed(context.switchToHttp().getRequest<Request>(), this.origins);
    return true;
  }
}
