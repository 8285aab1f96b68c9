import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../passwords/password-policy';
import { EMAIL_MAX_LENGTH } from '../accounts/email';

/** Shape check only: whether the credentials are right is the strategy's business (one 401). */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', minLength: 1, maxLength: EMAIL_MAX_LENGTH, description: 'Compared trimmed and lower-cased.' })
  @IsString()
  @MinLength(1)
  @MaxLength(EMAIL_MAX_LENGTH)
  email: string;

  /** Longer than any acceptable password (×4 for multi-unit characters): refused before hashing. */
  @ApiProperty({ example: 'correct horse battery staple', minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH * 4)
  password: string;
}
