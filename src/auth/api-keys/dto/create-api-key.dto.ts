import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Length, Matches, registerDecorator, ValidateIf } from 'class-validator';
import { HasNoControlCharacters, Trim } from '../../http/validators';

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'nightly export', description: 'What the key is for; trimmed.' })
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  @ApiProperty({
    type: [String],
    maxItems: 50,
    example: ['reports:read'],
    description: 'What the key may do on routes with `@Scopes()`: lower-case names such as `reports:read`.',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  @Matches(/^[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)*$/, { each: true, message: 'each scope must be a lower-case name such as "reports:read"' })
  scopes: string[];

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', pattern: '^\\d+(ms|s|m|h|d)?$' }, { type: 'integer', minimum: 60 }],
    example: '90d',
    description: 'Lifetime: a duration (`90d`, `12h`) or seconds; at most API_KEY_MAX_TTL. Default: that maximum.',
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsDurationOrSeconds()
  expiresIn?: string | number;
}

/** A duration string (`90d`) or a whole number of seconds. */
function IsDurationOrSeconds(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDurationOrSeconds',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a duration such as "90d", or whole seconds` },
      validator: {
        validate: (v: unknown) => (typeof v === 'string' && /^\d{1,12}(ms|s|m|h|d)?$/.test(v)) || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0),
      },
    });
}
