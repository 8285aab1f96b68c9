import { Body, ConflictException, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { JsonBodyGuard } from '../common/json-body.guard';
import { ErrorDto, UserDto } from '../openapi/schemas';
import { IpThrottleGuard } from './throttling/ip-throttle.guard';
import { RegisterDto } from '../users/dto/register.dto';
import { toUserView, UserView } from '../users/user.view';
import { EmailTakenError } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { Public } from './decorators/auth.decorators';

@ApiTags('accounts')
@Controller('auth')
export class RegistrationController {
  constructor(private readonly users: UsersService) {}

  /** `POST /auth/register {email, password, displayName?}` → 201 user; 409 taken; 400 invalid; 415 not JSON. */
  @Post('register')
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'The email is taken.' })
  @Public()
  @HttpCode(HttpStatus.CREATED)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async register(@Body() dto: RegisterDto): Promise<UserView> {
    try {
      return toUserView(await this.users.create(dto));
    } catch (err) {
      if (err instanceof EmailTakenError) throw new ConflictException('email is already registered');
      throw err;
    }
  }
}
