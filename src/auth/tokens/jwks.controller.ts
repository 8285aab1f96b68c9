import { BuiltInEndpoint } from '../http/validation.pipe';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JwksDto } from '../openapi/schemas';
import { Public } from '../decorators/auth.decorators';
import { JwtKeyring } from './jwt-keyring';

@ApiTags('jwt')
@Controller('.well-known')
@BuiltInEndpoint()
@Public()
export class JwksController {
  constructor(private readonly keyring: JwtKeyring) {}

  /** Public keys (current + still-valid previous) for verifying our access tokens; `[]` under HS256. */
  @Get('jwks.json')
  @ApiOperation({
    summary: 'Public keys for verifying access tokens',
    description: 'The current signing key, keys published ahead of a rotation, and still-valid previous keys (JWK Set, RFC 7517). Empty under HS256.',
  })
  @ApiOkResponse({ type: JwksDto })
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.keyring.jwks;
  }
}
