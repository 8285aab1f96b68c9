import { Body, Controller, Get, Post } from '@nestjs/common';
import { Auth, AuthContext, CurrentAuth, Public, Roles } from 'nest-dual-auth';

/** The host's own routes, each choosing how callers authenticate. */
@Controller('reports')
export class ReportsController {
  @Get('status')
  @Public()
  status() {
    return { ok: true };
  }

  @Get('session')
  @Auth('session')
  bySession(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, email: auth.user.email };
  }

  @Post('session')
  @Auth('session')
  createBySession(@Body() body: Record<string, unknown>, @CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, created: body };
  }

  @Get('jwt')
  @Auth('jwt')
  byToken(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, email: auth.user.email };
  }

  @Get('either')
  @Auth('session', 'jwt')
  either(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  @Get('admin')
  @Auth('session', 'jwt')
  @Roles('admin')
  admin(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, roles: auth.user.roles };
  }

  /** No decorator: the module's global guard denies it unless authenticated (deny by default). */
  @Get('default')
  byDefault(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }
}
