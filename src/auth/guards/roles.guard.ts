import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CodedHttpException } from '../http/http-errors';
import { AuthErrorCode } from '../auth.types';
import { ROLES_KEY } from '../decorators/metadata-keys';

/** 403 `forbidden_role` unless the caller has at least one of `required`. */
export function assertRoles(req: Request, required: string[] | undefined): void {
  if (!required?.length) return;
  const roles = req.auth?.user.roles ?? [];
  if (!required.some((r) => roles.includes(r))) {
    throw new CodedHttpException(HttpStatus.FORBIDDEN, AuthErrorCode.ForbiddenRole, `Requires role: ${required.join(' or ')}`);
  }
}

/** For `@UseGuards()` users; the global guard applies the same check itself. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[]>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    assertRoles(context.switchToHttp().getRequest<Request>(), required);
    return true;
  }
}
