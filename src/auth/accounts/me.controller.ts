import { BuiltInEndpoint } from '../http/validation.pipe';
import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CodedHttpException } from '../http/http-errors';
import { MeDto } from '../openapi/schemas';
import { toUserView } from './user.view';
import { UsersService } from './users.service';
import { AuthContext, AuthErrorCode, AuthStrategy } from '../auth.types';
import { Auth, CurrentAuth } from '../decorators/auth.decorators';

@ApiTags('accounts')
@Controller()
@BuiltInEndpoint()
export class MeController {
  constructor(private readonly users: UsersService) {}

  /**
   * `GET /auth/me` → `{user, auth: {strategy, signInId}}`, whichever way the caller signed in.
   * The user is read fresh, so the answer reflects the account as it is now.
   */
  @Get('me')
  @ApiOperation({ summary: 'Who is calling', description: 'The user as stored now, and how this request authenticated (strategy and sign-in id).' })
  @ApiOkResponse({ type: MeDto })
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  async me(@CurrentAuth() auth: AuthContext) {
    const user = await this.users.findById(auth.user.id);
    if (!user) throw new CodedHttpException(HttpStatus.UNAUTHORIZED, AuthErrorCode.SigninRevoked, 'This account no longer exists');
    return { user: toUserView(user), auth: { strategy: auth.strategy, signInId: auth.signInId } };
  }
}
