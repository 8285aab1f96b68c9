import { Body, Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthContext, AuthStrategy } from '../auth.types';
import { Auth, CurrentAuth } from '../decorators/auth.decorators';
import { JsonBody } from '../http/json-body.guard';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { ApiErrorResponse } from '../openapi/auth-openapi';
import { ApiKeyDto, CreatedApiKeyDto } from '../openapi/schemas';
import { isUuid } from '../shared/uuid';
import { ApiKeysService, ApiKeyView } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

/** The caller's API keys. Managed from a session or a JWT sign-in — never with an API key. */
@ApiTags('api keys')
@Controller()
@BuiltInEndpoint()
@Auth(AuthStrategy.Session, AuthStrategy.Jwt)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('api-keys')
  @ApiOperation({
    summary: 'Create an API key',
    description: 'For scripts, CI and services: `Authorization: Bearer nda_…` or `X-API-Key: nda_…` on routes that accept API keys, limited to its scopes. The key is in this answer only: it is stored as a hash.',
  })
  @ApiBody({ type: CreateApiKeyDto })
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The new key — shown this once.' })
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt, { fresh: true })
  @HttpCode(HttpStatus.CREATED)
  @JsonBody()
  create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateApiKeyDto) {
    return this.keys.create(auth.user.id, dto);
  }

  @Get('api-keys')
  @ApiOperation({ summary: 'List my API keys', description: 'Newest first; never the key itself. Expired keys stay listed for 30 days.' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(@CurrentAuth() auth: AuthContext): Promise<ApiKeyView[]> {
    return this.keys.list(auth.user.id);
  }

  @Delete('api-keys/:id')
  @ApiOperation({ summary: 'Revoke one of my API keys', description: 'The key stops working at once (the next request with it is refused).' })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrorResponse(404, "Not one of the caller's keys.")
  @HttpCode(HttpStatus.NO_CONTENT)
  async revoke(@CurrentAuth() auth: AuthContext, @Param('id') id: string): Promise<void> {
    if (!isUuid(id) || !(await this.keys.revoke(auth.user.id, id))) throw new NotFoundException('No such API key');
  }
}
