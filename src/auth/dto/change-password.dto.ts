import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsAcceptablePassword } from '../http/validators';
import { PASSWORD_MAX_LENGTH } from '../passwords/password-policy';

export class ChangePasswordDto {
  @ApiProperty({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  currentPassword: string;

  @ApiProperty({ minLength: 8, maxLength: 128, description: '8–128 characters, not on the common-password list, different from the current one.' })
  @IsAcceptablePassword()
  newPassword: string;
}
