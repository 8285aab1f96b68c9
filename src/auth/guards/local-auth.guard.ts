import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { LoginDto } from '../dto/login.dto';
import { createValidationPipe } from '../http/validation.pipe';
import { LocalStrategy, setLoginUser } from '../strategies/local.strategy';

const validation = createValidationPipe();

/** Metadata: the DTO a login route's body is checked against (its own options beside email and password). */
export const LOGIN_DTO = 'nda:login-dto';

/**
 * Login behind a shape check: a malformed body is a 400 that says what is wrong (and an oversized
 * password is refused before any hashing); well-formed but wrong credentials are one 401. The
 * user is left on the request for the login handler (`loginUserOf(req)`).
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  constructor(private readonly strategy: LocalStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const metatype = (Reflect.getMetadata(LOGIN_DTO, context.getHandler()) as typeof LoginDto | undefined) ?? LoginDto;
    const { email, password } = (await validation.transform(req.body, { type: 'body', metatype })) as LoginDto;
    setLoginUser(req, await this.strategy.validate(req, email, password));
    return true;
  }
}
