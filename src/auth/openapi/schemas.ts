import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EMAIL_PATTERN } from '../accounts/email';

/** Response shapes, for the OpenAPI document (docs/API.md is the contract they follow). */

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ pattern: EMAIL_PATTERN, example: 'ada@example.com', description: 'Trimmed and lower-cased.' }) email: string;
  @ApiProperty({ type: String, nullable: true, example: 'Ada' }) displayName: string | null;
  @ApiProperty({ type: [String], example: ['user'] }) roles: string[];
  @ApiProperty({ description: 'Whether the user proved the address is theirs (the mailed link, or a password reset).' }) emailVerified: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'nightly export' }) name: string;
  @ApiProperty({ type: [String], example: ['reports:read'] }) scopes: string[];
  @ApiProperty({ example: 'nda_4f9Kq2Zx', description: "The key's first 12 characters, to tell keys apart." }) prefix: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Updated at most once a minute.' }) lastUsedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ pattern: '^nda_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$', description: 'The key. Shown this once: store it now.' }) key: string;
}

/** `{}`: an answer that says nothing more than its status (on purpose, for `password/forgot`). */
export class EmptyDto {}

export class SessionLoginResponseDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ description: 'Send it as `X-CSRF-Token` on cookie-authenticated POST/PUT/PATCH/DELETE.' }) csrfToken: string;
}

export class CsrfDto {
  @ApiProperty() csrfToken: string;
}

export class AuthInfoDto {
  @ApiProperty({ enum: ['session', 'jwt'] }) strategy: 'session' | 'jwt';
  @ApiProperty({ format: 'uuid', description: 'The sign-in: a session id or a token family id (the `sid` claim).' }) signInId: string;
}

export class MeDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ type: AuthInfoDto }) auth: AuthInfoDto;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT; send as `Authorization: Bearer …`.' }) accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 }) expiresIn: number;
  @ApiProperty({ description: 'Opaque; single use — every refresh returns a new one.' }) refreshToken: string;
  @ApiProperty({ description: "Seconds until the sign-in's absolute expiry (rotation never extends it)." }) refreshExpiresIn: number;
}

export class CookieTokensDto {
  @ApiProperty({ enum: ['Cookie'] }) tokenType: 'Cookie';
  @ApiProperty({ description: 'Seconds until the access token (in its HttpOnly cookie) expires.', example: 900 }) expiresIn: number;
  @ApiProperty({ description: "Seconds until the sign-in's absolute expiry." }) refreshExpiresIn: number;
  @ApiProperty({ description: 'Send it as `X-CSRF-Token` on POST/PUT/PATCH/DELETE (also in the readable `csrf_token` cookie, and from `GET csrf`).' })
  csrfToken: string;
}

export class SignInDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['session', 'token'] }) kind: 'session' | 'token';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ description: "True for the caller's own sign-in." }) current: boolean;
}

export class JwksDto {
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Public JWKs (`kty`, `kid`, `alg`, `use`, …); empty under HS256.' })
  keys: object[];
}

export class ErrorDto {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 }) statusCode: number;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) message: string | string[];
  @ApiProperty({ description: 'The HTTP reason phrase.' }) error: string;
  @ApiPropertyOptional({
    enum: [
      'credentials_missing',
      'credentials_invalid',
      'token_expired',
      'token_invalid',
      'session_expired',
      'signin_revoked',
      'csrf_failed',
      'origin_rejected',
      'forbidden_role',
      'rate_limited',
      'password_unchanged',
      'dependency_unavailable',
      'overloaded',
      'email_unverified',
      'reauthentication_required',
      'insufficient_scope',
    ],
    description: 'Machine-readable reason. Only `token_expired` means "refresh, then retry".',
  })
  code?: string;
}
