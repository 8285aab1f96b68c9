import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthContext, AuthStrategy } from '../auth.types';
import { Auth, CurrentAuth, Public } from '../decorators/auth.decorators';
import { JsonBody, JsonBodyGuard } from '../http/json-body.guard';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { ApiErrorResponse } from '../openapi/auth-openapi';
import { EmptyDto } from '../openapi/schemas';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { AccountLifecycleService } from './account-lifecycle.service';
import { ChangeEmailDto, ForgotPasswordDto, OneTimeTokenDto, ResetPasswordDto } from './dto/lifecycle.dto';

const TOKEN_INVALID = '`token_invalid`: the link is unknown, used, expired, or for another purpose.';

/**
 * What a mailed link drives: email verification, password reset, email change. The public
 * endpoints are throttled per IP like login; the ones that send mail also per address or user.
 */
@ApiTags('account lifecycle')
@Controller()
@BuiltInEndpoint()
export class AccountLifecycleController {
  constructor(private readonly lifecycle: AccountLifecycleService) {}

  @Post('email/verify')
  @ApiOperation({ summary: 'Verify my email address', description: 'With the token of the link mailed at registration (or by `email/verify/resend`). Single use.' })
  @ApiBody({ type: OneTimeTokenDto })
  @ApiNoContentResponse({ description: 'The address is verified (`emailVerified: true`).' })
  @ApiErrorResponse(400, TOKEN_INVALID, ['token_invalid', undefined])
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async verify(@Body() dto: OneTimeTokenDto): Promise<void> {
    await this.lifecycle.verifyEmail(dto.token);
  }

  @Post('email/verify/resend')
  @ApiOperation({ summary: 'Send the verification mail again', description: 'A new link (the previous one stops working). Nothing is sent when the address is already verified.' })
  @ApiNoContentResponse({ description: 'A new verification mail is on its way.' })
  @ApiErrorResponse(429, '`rate_limited`: too many mails asked for (MAIL_PER_USER per 15 minutes); see `Retry-After`.', ['rate_limited'])
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  @HttpCode(HttpStatus.NO_CONTENT)
  async resend(@CurrentAuth() auth: AuthContext): Promise<void> {
    await this.lifecycle.resendVerification(auth);
  }

  @Post('password/forgot')
  @ApiOperation({
    summary: 'Forgot my password',
    description: 'Mails a reset link if the address belongs to an enabled account. The answer is the same — status, body and timing — whether it does or not.',
  })
  @ApiBody({ type: ForgotPasswordDto })
  @ApiAcceptedResponse({ type: EmptyDto, description: 'Always the same answer.' })
  @ApiErrorResponse(429, '`rate_limited`: too many requests for this address (PASSWORD_RESET_PER_EMAIL per 15 minutes) or from this IP; see `Retry-After`.', ['rate_limited'])
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async forgot(@Body() dto: ForgotPasswordDto, @Req() req: Request): Promise<EmptyDto> {
    await this.lifecycle.forgotPassword(dto.email, req);
    return {};
  }

  @Post('password/reset')
  @ApiOperation({
    summary: 'Reset my password',
    description: 'With the token of the mailed link: sets the password, counts the address as verified, ends **every** sign-in of the account, and mails a notice. A refused password leaves the link usable.',
  })
  @ApiBody({ type: ResetPasswordDto })
  @ApiNoContentResponse({ description: 'Password set; every sign-in ended.' })
  @ApiErrorResponse(400, `${TOKEN_INVALID} Or the password is refused (the link stays usable).`, ['token_invalid', undefined])
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async reset(@Body() dto: ResetPasswordDto, @Req() req: Request): Promise<void> {
    await this.lifecycle.resetPassword(dto.token, dto.newPassword, req);
  }

  @Post('email')
  @ApiOperation({
    summary: 'Change my email address',
    description: 'Mails a confirmation link to the new address and a notice to the current one; the address changes when the link is followed.',
  })
  @ApiBody({ type: ChangeEmailDto })
  @ApiAcceptedResponse({ type: EmptyDto, description: 'The confirmation mail is on its way.' })
  @ApiErrorResponse(400, 'Invalid body, or the new address is the current one.')
  @ApiErrorResponse(409, 'The new address belongs to another account.')
  @ApiErrorResponse(429, '`rate_limited`: too many mails asked for (MAIL_PER_USER per 15 minutes); see `Retry-After`.', ['rate_limited'])
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt, { fresh: true })
  @HttpCode(HttpStatus.ACCEPTED)
  @JsonBody()
  async changeEmail(@CurrentAuth() auth: AuthContext, @Body() dto: ChangeEmailDto): Promise<EmptyDto> {
    await this.lifecycle.requestEmailChange(auth, dto.newEmail);
    return {};
  }

  @Post('email/confirm')
  @ApiOperation({
    summary: 'Confirm my new email address',
    description: 'With the token of the link mailed to the new address: the address changes (verified), and every sign-in but the one that asked for the change ends.',
  })
  @ApiBody({ type: OneTimeTokenDto })
  @ApiNoContentResponse({ description: 'The address is changed.' })
  @ApiErrorResponse(400, TOKEN_INVALID, ['token_invalid', undefined])
  @ApiErrorResponse(409, 'The address was taken by another account meanwhile (the link stays usable).')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard, JsonBodyGuard)
  async confirmEmail(@Body() dto: OneTimeTokenDto): Promise<void> {
    await this.lifecycle.confirmEmailChange(dto.token);
  }
}
