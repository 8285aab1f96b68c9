import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ACCESS_TOKEN_VERIFIER, AccessTokenPrincipal, AccessTokenVerifier, bearerTokenOf, InvalidAccessTokenError, KeySetUnavailableError } from './access-token';

export const REQUIRED_ROLES_KEY = 'nda:resource-server:roles';

const PRINCIPAL = Symbol('nda.accessTokenPrincipal');

/** The principal `AccessTokenGuard` put on the request (what `@AccessTokenPrincipal()` reads). */
export function accessTokenPrincipalOf(req: Request): AccessTokenPrincipal {
  const principal = (req as Request & { [PRINCIPAL]?: AccessTokenPrincipal })[PRINCIPAL];
  if (!principal) throw new Error('no access-token principal on this request: is @RequireAccessToken() on the route?');
  return principal;
}

/**
 * `Authorization: Bearer <access token>` → the principal, verified against the issuer's JWKS;
 * then `@RequireAccessToken({ roles })` (any one of them, like `@Roles()`).
 * - no Bearer token: 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3: no error code);
 * - a token that fails any check: 401 `WWW-Authenticate: Bearer error="invalid_token"`, one
 *   generic message — which check failed goes to the debug log, never to the caller;
 * - the key set cannot be fetched: 503 — an outage, so clients retry instead of signing in again;
 * - a missing role: 403.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly logger = new Logger('ResourceServer');

  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Deny by default: this guard only knows HTTP requests.
    if (context.getType() !== 'http') throw new Error('@RequireAccessToken() guards HTTP routes only');
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { [PRINCIPAL]?: AccessTokenPrincipal }>();
    const res = http.getResponse<Response>();

    let principal = req[PRINCIPAL];
    // A class-level and a method-level @RequireAccessToken() both run this guard: verify once.
    if (!principal) {
      const token = bearerTokenOf(req);
      if (token === undefined) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new UnauthorizedException('Authentication required');
      }
      try {
        if (token === null) throw new InvalidAccessTokenError('malformed Authorization header');
        principal = await this.verifier.verify(req);
      } catch (err) {
        if (err instanceof KeySetUnavailableError) {
          this.logger.warn(`cannot verify access tokens: ${err.message}`);
          res.setHeader('Retry-After', '5');
          throw new ServiceUnavailableException('Access tokens cannot be verified right now; retry shortly');
        }
        if (err instanceof InvalidAccessTokenError) {
          this.logger.debug(`access token refused: ${err.message}`);
          res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
          throw new UnauthorizedException('Invalid access token');
        }
        throw err;
      }
      req[PRINCIPAL] = principal;
    }

    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES_KEY, [context.getHandler(), context.getClass()]) ?? [];
    if (required.length && !required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException('Missing role');
    }
    return true;
  }
}
