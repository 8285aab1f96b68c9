import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EMAIL_PATTERN } from '../email';
import { IsOptional, IsString, Length } from 'class-validator';
import {
  HasNoControlCharacters,
  IsAcceptablePassword,
  IsPlausibleEmail,
  NormaliseEmail,
  Trim,
} from '../../http/validators';

export class RegisterDto {
  /** Stored trimmed and lower-cased. */
  @ApiProperty({ pattern: EMAIL_PATTERN, minLength: 3, maxLength: 254, example: 'ada@example.com', description: 'Stored trimmed and lower-cased.' })
  @NormaliseEmail()
  @IsPlausibleEmail()
  email: string;

  /** 8–128 characters, anything goes; never trimmed or transformed. */
  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery staple', description: '8–128 characters, not on the common-password list; never trimmed or transformed.' })
  @IsAcceptablePassword()
  password: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Ada', description: 'Trimmed; no control characters.' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  displayName?: string;
}
