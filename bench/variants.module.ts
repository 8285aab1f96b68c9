/**
 * Variants of the example routes that change one thing each, mounted in the benchmark server only,
 * to split a route's cost between our guard and Nest's own per-request work.
 */
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AuthContext, AuthStrategy } from '../src/auth/auth.types';
import { Auth, CurrentAuth, Public } from '../src/auth/decorators/auth.decorators';

const FIXED: AuthContext = {
  user: { id: '00000000-0000-4000-8000-000000000000', email: 'floor@example.com', displayName: null, roles: [] },
  strategy: AuthStrategy.Jwt,
  signInId: '00000000-0000-4000-8000-000000000001',
};

/**
 * The least an authentication guard can do: no credential read, no check, a fixed `AuthContext` on
 * `req.auth` (as our guard leaves it). What remains is what any guard-based authentication pays in
 * a NestJS route, whatever it verifies.
 */
@Injectable()
class FixedAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.getArgByIndex<Request>(0).auth = FIXED;
    return true;
  }
}

@Controller('variants')
class VariantsController {
  /** `GET /examples/jwt` without its `@CurrentAuth()` parameter: the guard alone. */
  @Get('jwt-no-param')
  @Auth(AuthStrategy.Jwt)
  jwtNoParam() {
    return { strategy: 'jwt' };
  }

  /** The open route with a `@CurrentAuth()` parameter: Nest's parameter pipeline (and the global ValidationPipe), no authentication. */
  @Get('public-param')
  @Public()
  publicParam(@CurrentAuth() auth: AuthContext | undefined) {
    return { strategy: auth?.strategy ?? 'jwt' };
  }

  /**
   * The open route with one more promise hop in its handler: no guard, no parameter, no
   * `req.auth` — what one extra asynchronous step costs a route, whoever adds it.
   */
  @Get('public-async')
  @Public()
  async publicAsync() {
    await null;
    return { ok: true };
  }

  /**
   * The floor for `GET /examples/jwt`: the same shape — the global guard plus one route guard, a
   * `@CurrentAuth()` parameter, `req.auth` set (so the same log line), the same body — with
   * `FixedAuthGuard` doing the authenticating. Sent the same Bearer header, it differs from the JWT
   * route only by what our guard does: the strategy chain, the token check, the `AuthContext`.
   */
  @Get('floor')
  @Public()
  @UseGuards(FixedAuthGuard)
  floor(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }
}

@Module({ controllers: [VariantsController] })
export class VariantsModule {}
