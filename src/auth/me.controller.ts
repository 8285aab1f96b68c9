import { Controller, Get } from '@nestjs/common';
import { AuthContext, AuthStrategy } from './auth.types';
import { Auth, CurrentAuth } from './decorators/auth.decorators';

@Controller('auth')
export class MeController {
  /** `GET /auth/me` → `{user, auth: {strategy, signInId}}`, whichever way the caller signed in. */
  @Get('me')
  @Auth(AuthStrategy.Session)
  me(@CurrentAuth() auth: AuthContext) {
    return { user: auth.user, auth: { strategy: auth.strategy, signInId: auth.signInId } };
  }
}
