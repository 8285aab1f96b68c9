import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiResponseSchemaHost } from '@nestjs/swagger';

type SchemaObject = ApiResponseSchemaHost['schema'];
import { Auth, AuthContext, AuthStrategy, CurrentAuth, Public, Roles, Scopes } from '../../index';

const strategyName: SchemaObject = { type: 'string', enum: ['session', 'jwt'] };
const strategy: SchemaObject = { type: 'object', properties: { strategy: strategyName }, required: ['strategy'] };

/**
 * The per-route choice, as code to copy. Every route below is denied unless it says otherwise:
 * the global guard requires authentication by default.
 */
@ApiTags('examples')
@Controller('examples')
export class ExamplesController {
  /** Anyone: `@Public()` opts out of authentication. */
  @Get('public')
  @Public()
  @ApiOperation({ summary: 'Open to anyone', description: '`@Public()`: no authentication.' })
  @ApiOkResponse({ schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } })
  public() {
    return { ok: true };
  }

  /** Browser sessions only: the session cookie; a Bearer token is refused. */
  @Get('session')
  @Auth(AuthStrategy.Session)
  @ApiOperation({ summary: 'Session cookie only', description: "`@Auth('session')`: a Bearer token is refused." })
  @ApiOkResponse({ schema: strategy })
  session(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  /** Bearer access tokens only: verified without any database work; the cookie is refused. */
  @Get('jwt')
  @Auth(AuthStrategy.Jwt)
  @ApiOperation({ summary: 'Bearer token only', description: "`@Auth('jwt')`: verified with the key alone, no database work; the session cookie is refused." })
  @ApiOkResponse({ schema: strategy })
  jwt(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  /**
   * Bearer only, and `strict`: one lookup also checks that the sign-in (refresh family) and the
   * user are still live, so revocation takes effect at once instead of at the token's `exp`.
   */
  @Get('jwt-strict')
  @Auth(AuthStrategy.Jwt, { strict: true })
  @ApiOperation({ summary: 'Bearer token, revocation checked', description: "`@Auth('jwt', { strict: true })`: one lookup checks that the sign-in and the user are still live." })
  @ApiOkResponse({ schema: strategy })
  jwtStrict(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }

  /** Either strategy: the first that succeeds wins; the handler does not care which. */
  @Get('any')
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  @ApiOperation({ summary: 'Session or Bearer', description: "`@Auth('session', 'jwt')`: the first that succeeds wins." })
  @ApiOkResponse({ schema: { type: 'object', properties: { strategy: strategyName, userId: { type: 'string', format: 'uuid' } }, required: ['strategy', 'userId'] } })
  any(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, userId: auth.user.id };
  }

  /** Either strategy, and the caller must have the `admin` role (else 403 `forbidden_role`). */
  @Get('admin')
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  @Roles('admin')
  @ApiOperation({ summary: 'Admins only', description: "`@Roles('admin')` on top of either strategy: 403 `forbidden_role` for others." })
  @ApiOkResponse({ schema: { type: 'object', properties: { strategy: strategyName, roles: { type: 'array', items: { type: 'string' } } }, required: ['strategy', 'roles'] } })
  admin(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, roles: auth.user.roles };
  }

  /**
   * An unsafe method: with the session cookie it needs `X-CSRF-Token` (the guard checks it);
   * with a Bearer token it does not. Echoes the JSON body back.
   */
  @Post('echo')
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  @ApiOperation({ summary: 'Echo a JSON body', description: 'An unsafe method: with the session cookie it needs `X-CSRF-Token`; with a Bearer token it does not.' })
  @ApiBody({ schema: {}, description: 'Any JSON value.' })
  @ApiCreatedResponse({ schema: { type: 'object', properties: { strategy: strategyName, body: { description: 'The JSON body, as sent.' } }, required: ['strategy', 'body'] } })
  echo(@Body() body: Record<string, unknown>, @CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy, body };
  }

  /** API keys only, and the key must hold the `examples:read` scope (else 403 `insufficient_scope`). */
  @Get('api-key')
  @Auth(AuthStrategy.ApiKey)
  @Scopes('examples:read')
  @ApiOperation({
    summary: 'API key with a scope',
    description: "`@Auth('apiKey') @Scopes('examples:read')`: `X-API-Key: nda_…` or `Authorization: Bearer nda_…`; a key without the scope gets 403 `insufficient_scope`.",
  })
  @ApiOkResponse({ schema: { type: 'object', properties: { strategy: { type: 'string', enum: ['apiKey'] } }, required: ['strategy'] } })
  apiKey(@CurrentAuth() auth: AuthContext) {
    return { strategy: auth.strategy };
  }
}
