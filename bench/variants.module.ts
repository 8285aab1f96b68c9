/**
 * Variants of the example routes that change one thing each, mounted in the benchmark server only,
 * to split a route's cost between our guard and Nest's own per-request work.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { AuthContext, AuthStrategy } from '../src/auth/auth.types';
import { Auth, CurrentAuth, Public } from '../src/auth/decorators/auth.decorators';

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
}

@Module({ controllers: [VariantsController] })
export class VariantsModule {}
