import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthErrorCode, AuthStrategy } from '../auth.types';
import { SCOPES_KEY } from '../decorators/metadata-keys';
import { CodedHttpException } from '../http/http-errors';

/**
 * `@Scopes(...)`: an API-key caller needs every one of them, else `403 insufficient_scope` with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` (RFC 6750 §3.1). Sessions and
 * JWTs act with all of their user's rights (as Sanctum's first-party requests do): not checked.
 */
export function assertScopes(req: Request, required: string[] | undefined): void {
  if (!required?.length || req.auth?.strategy !== AuthStrategy.ApiKey) return;
  const held = req.auth.scopes ?? [];
  const missing = required.filter((s) => !held.includes(s));
  if (missing.length) {
    throw new CodedHttpException(HttpStatus.FORBIDDEN, AuthErrorCode.InsufficientScope, `This API key lacks the scope ${missing.join(', ')}`, {
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required.join(' ')}"`,
    });
  }
}

/** For `@UseGuards()` users; the global guard applies the same check itself. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[]>(SCOPES_KEY, [context.getHandler(), context.getClass()]);
    assertScopes(context.switchToHttp().getRequest<Request>(), required);
    return true;
  }
}
