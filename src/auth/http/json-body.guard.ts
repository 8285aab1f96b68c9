import { CanActivate, ExecutionContext, Injectable, UnsupportedMediaTypeException, UseGuards, applyDecorators } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Auth endpoints take JSON only. Refusing form and text bodies with 415 also stops login CSRF
 * from plain HTML forms, which cannot send `application/json` cross-site without a preflight.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.is('application/json')) {
      throw new UnsupportedMediaTypeException('Content-Type must be application/json');
    }
    return true;
  }
}

/** `@JsonBody()` on a route: the body must be `application/json`, else 415. */
export const JsonBody = () => applyDecorators(UseGuards(JsonBodyGuard));
