import { BuiltInEndpoint } from '../http/validation.pipe';
import { Body, ConflictException, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse } from '../openapi/auth-openapi';
import { JsonBodyGuard } from '../http/json-body.guard';
import { ErrorDto, UserDto } from '../openapi/schemas';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { RegisterDto } from './dto/register.dto';
import { toUserView, UserView } from './user.view';
import { EmailTakenError } from './users.repository';
import { UsersService } from './users.service';
import { Public } from '../decorators/auth.decorators';
import { AccountLifecycleService } from '../lifecycle/account-lifecycle.service';

@ApiTags('accounts')
@Controller()
@BuiltInEndpoint()
export class RegistrationController {
  constructor(
    private readonly users: UsersService,
    private readonly lifecycle: AccountLifecycleService,
  ) {}

  /** `POST /auth/register {email, password, displayName?}` → 201 user; 409 taken; 400 invalid; 415 not JSON. */
  @Post('register')
  @ApiOperation({
    summary: 'Create an account',
    description: 'Mails a link to verify the address (`emailVerified` is false until it is followed). Emails are stored trimmed and lower-cased. Passwords: 8–128 characters, not on the common-password list, never transformed. Unknown fields are refused.',
  })
  @ApiBody({ type: RegisterDto })
  @ApiCreatedResponse({ type: UserDto, description: 'The new user (role `user`).' })
  @ApiErrorResponse(409, 'The email is taken.')
  @Public()
  @HttpCode(HttpStatus.CREATED)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async register(@Body() dto: RegisterDto): Promise<UserView> {
    let user;
    try {
      user = await this.users.create(dto);
    } catch (err) {
      if (err instanceof EmailTakenError) throw new ConflictException('email is already registered');
      throw err;
    }
    this.lifecycle.sendVerificationAfterRegistration(user);
    return toUserView(user);
  }
}
