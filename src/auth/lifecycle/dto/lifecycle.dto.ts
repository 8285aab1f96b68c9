import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Length, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { EMAIL_PATTERN } from '../../accounts/email';
import { HasNoControlCharacters, IsAcceptablePassword, IsPlausibleEmail, NormaliseEmail, Trim } from '../../http/validators';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy';

/** A one-time token from a mailed link. Any string is accepted here; one that is not a live token is `400 token_invalid`. */
export class OneTimeTokenDto {
  @ApiProperty({ minLength: 1, maxLength: 512, description: 'The `token` query parameter of the mailed link.', example: 'gM2w1x2p0y7Q9aY3u0Q1mJb8xH3r2Zt6VYcB4nLk0sE' })
  @IsString()
  @Length(1, 512)
  token: string;
}

export class ForgotPasswordDto {
  @ApiProperty({ pattern: EMAIL_PATTERN, minLength: 3, maxLength: 254, example: 'ada@example.com' })
  @NormaliseEmail()
  @IsPlausibleEmail()
  email: string;
}

export class ResetPasswordDto extends OneTimeTokenDto {
  @ApiProperty({ minLength: 8, maxLength: 128, example: 'a new correct horse battery', description: '8–128 characters, not on the common-password list. A refused password leaves the link usable.' })
  @IsAcceptablePassword()
  newPassword: string;
}

export class ReauthenticateDto {
  @ApiProperty({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4, example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  password: string;
}

export class ChangeEmailDto {
  @ApiProperty({ pattern: EMAIL_PATTERN, minLength: 3, maxLength: 254, example: 'ada@new.example.com', description: 'Stored trimmed and lower-cased once confirmed.' })
  @NormaliseEmail()
  @IsPlausibleEmail()
  newEmail: string;
}

export class UpdateProfileDto {
  @ApiProperty({ type: String, nullable: true, minLength: 1, maxLength: 100, example: 'Ada Lovelace', description: 'Trimmed; `null` clears it.' })
  @IsDefined()
  @ValidateIf((_o, v) => v !== null)
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  displayName: string | null;
}
