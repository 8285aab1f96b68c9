import { Body, Controller, Get, Post } from '@nestjs/common';
import { Auth, CurrentAuth, Public, Roles } from '../auth/decorators/auth.decorators';
import { AuthContext, AuthStrategy } from '../auth/auth.types';

/**
 * The per-route choice, as code to copy. Every route below is denied unless it says otherwise:
 * the global guard requires authentication by default.
 */
@Controller('examples')
export class ExamplesController {
  /** Anyone: `@Public()` opts out of authentication. */
  @Get('public')
  @Public()
  public() {
    return { ok: true };
  }

  /** Browser sessions only: the session cookie; a Bearer token is refused. */
  @Get('session')
  @Auth(AuthStrategy.Session)
  session(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  /** Either strategy: the first that succeeds wins; the handler does not care which. */
  @Get('any')
  @Auth(AuthStrategy.Session)
  any(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, userId: auth.user.id };
  }

  /** Either strategy, and the caller must have the `admin` role (else 403 `forbidden_role`). */
  @Get('admin')
  @Auth(AuthStrategy.Session)
  @Roles('admin')
  admin(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, roles: auth.user.roles };
  }

  /**
   * An unsafe method: with the session cookie it needs `X-CSRF-Token` (the guard checks it);
   * with a Bearer token it does not. Echoes the JSON body back.
   */
  @Post('echo')
  @Auth(AuthStrategy.Session)
  echo(@Body() body: Record<string, unknown>, @CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, body };
  }
}
