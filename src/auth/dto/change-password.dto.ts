import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsAcceptablePassword } from '../../common/validation/validators';
import { PASSWORD_MAX_LENGTH } from '../passwords/password-policy';

export class ChangePasswordDto {
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  currentPassword: string;

  @IsAcceptablePassword()
  newPassword: string;
}
