import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
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

/** `POST session/login`. */
export class SessionLoginDto extends LoginDto {
  /**
   * Default `true`: a persistent cookie. `false`: a browser-session cookie, and the sign-in ends
   * after the short lifetime (`SIGNIN_SHORT_TTL`) at most.
   */
  @ApiPropertyOptional({ default: true, description: 'false: a browser-session cookie, and the sign-in lasts at most SIGNIN_SHORT_TTL (12h).' })
  @IsOptional()
  @IsBoolean()
  rememberMe?: boolean;
}

/** `POST token`. */
export class TokenLoginDto extends SessionLoginDto {
  /**
   * `body` (default): the tokens in the response body, for `Authorization: Bearer`. `cookie`: the
   * tokens in HttpOnly cookies page scripts cannot read, and a CSRF token in the body.
   */
  @ApiPropertyOptional({ enum: ['body', 'cookie'], default: 'body', description: '`cookie`: tokens in HttpOnly cookies (for browser apps), none in the body.' })
  @IsOptional()
  @IsIn(['body', 'cookie'])
  transport?: 'body' | 'cookie';
}
