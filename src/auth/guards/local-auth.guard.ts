import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { createValidationPipe } from '../http/validation.pipe';
import { LoginDto } from '../dto/login.dto';
import { invalidCredentials } from '../strategies/local.strategy';

const validation = createValidationPipe();

/**
 * passport-local behind a shape check: a malformed body is a 400 that says what is wrong (and an
 * oversized password is refused before any hashing); well-formed but wrong credentials are 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    await validation.transform(req.body, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    if (err) throw err;
    if (!user) throw invalidCredentials();
    return user;
  }
}
