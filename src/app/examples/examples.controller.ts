import { Auth, AuthContext, AuthStrategy, CurrentAuth, Public, Roles } from '../../index';
import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

/**
 * The per-route choice, as code to copy. Every route below is denied unless it says otherwise:
 * the global guard requires authentication by default.
 */
@ApiTags('examples')
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

  /** Bearer access tokens only: verified without any database work; the cookie is refused. */
  @Get('jwt')
  @Auth(AuthStrategy.Jwt)
  jwt(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  /**
   * Bearer only, and `strict`: one lookup also checks that the sign-in (refresh family) and the
   * user are still live, so revocation takes effect at once instead of at the token's `exp`.
   */
  @Get('jwt-strict')
  @Auth(AuthStrategy.Jwt, { strict: true })
  jwtStrict(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  /** Either strategy: the first that succeeds wins; the handler does not care which. */
  @Get('any')
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  any(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, userId: auth.user.id };
  }

  /** Either strategy, and the caller must have the `admin` role (else 403 `forbidden_role`). */
  @Get('admin')
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  @Roles('admin')
  admin(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, roles: auth.user.roles };
  }

  /**
   * An unsafe method: with the session cookie it needs `X-CSRF-Token` (the guard checks it);
   * with a Bearer token it does not. Echoes the JSON body back.
   */
  @Post('echo')
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  echo(@Body() body: Record<string, unknown>, @CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, body };
  }
}
