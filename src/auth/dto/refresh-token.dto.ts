import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/**
 * `{refreshToken}` for sign-ins that hold their tokens (transport `body`); `{}` for those whose
 * refresh token is in its cookie (transport `cookie`: then `X-CSRF-Token` is required too).
 */
export class RefreshTokenDto {
  @ApiPropertyOptional({ description: 'The refresh token from /auth/token or the last refresh. Leave it out when the refresh token is in its cookie.', minLength: 1, maxLength: 512 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken?: string;
}
