import { IsOptional, IsString, Length } from 'class-validator';
import {
  HasNoControlCharacters,
  IsAcceptablePassword,
  IsPlausibleEmail,
  NormaliseEmail,
  Trim,
} from '../../common/validation/validators';

export class RegisterDto {
  /** Stored trimmed and lower-cased. */
  @NormaliseEmail()
  @IsPlausibleEmail()
  email: string;

  /** 8–128 characters, anything goes; never trimmed or transformed. */
  @IsAcceptablePassword()
  password: string;

  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  displayName?: string;
}
