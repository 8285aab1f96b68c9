import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** `{refreshToken}` in the JSON body only — never a cookie, so there is no CSRF surface. */
export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from /auth/token or the last refresh.', minLength: 1, maxLength: 512 })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken: string;
}
