import { BuiltInEndpoint } from '../http/validation.pipe';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Res } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CodedHttpException } from '../http/http-errors';
import { JsonBody } from '../http/json-body.guard';
import { MeDto, UserDto } from '../openapi/schemas';
import { toUserView, UserView } from './user.view';
import { UsersService } from './users.service';
import { AuthContext, AuthErrorCode, AuthStrategy } from '../auth.types';
import { Auth, CurrentAuth } from '../decorators/auth.decorators';
import { AccountLifecycleService } from '../lifecycle/account-lifecycle.service';
import { UpdateProfileDto } from '../lifecycle/dto/lifecycle.dto';

@ApiTags('accounts')
@Controller()
@BuiltInEndpoint()
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly lifecycle: AccountLifecycleService,
  ) {}

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

  /** `PATCH /auth/me {displayName}` → 200 user. */
  @Patch('me')
  @ApiOperation({
    summary: 'Update my profile',
    description: 'The display name (`null` clears it). Sessions carry the new name at once; access tokens from their next refresh.',
  })
  @ApiBody({ type: UpdateProfileDto })
  @ApiOkResponse({ type: UserDto })
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  @JsonBody()
  updateProfile(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateProfileDto): Promise<UserView> {
    return this.lifecycle.updateProfile(auth, dto.displayName);
  }

  /** `DELETE /auth/me` (fresh) → 204; the account and everything of it are gone. */
  @Delete('me')
  @ApiOperation({
    summary: 'Delete my account',
    description: 'Deletes the user with every sign-in, one-time token and API key, at once; clears this client’s cookies. Cannot be undone.',
  })
  @ApiNoContentResponse({ description: 'The account is gone; its cookies are cleared.' })
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt, { fresh: true })
  @HttpCode(HttpStatus.NO_CONTENT)
  async deleteAccount(@CurrentAuth() auth: AuthContext, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.lifecycle.deleteAccount(auth, res);
  }
}
