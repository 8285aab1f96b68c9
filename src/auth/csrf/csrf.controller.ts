import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthContext, AuthStrategy } from '../auth.types';
import { Auth, CurrentAuth } from '../decorators/auth.decorators';
import { BuiltInEndpoint } from '../http/validation.pipe';
import { CsrfDto } from '../openapi/schemas';
import { SessionService } from '../sessions/session.service';
import { CsrfTokens } from './csrf-tokens';

@ApiTags('session')
@Controller()
@BuiltInEndpoint()
export class CsrfController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfTokens,
  ) {}

  /**
   * `GET /auth/csrf` → `{csrfToken}`: how a page that reloaded (and lost the token it held in
   * memory) gets it back, with nothing readable by scripts but the answer. A safe method, and
   * cross-origin pages cannot read the answer unless CORS lets them.
   */
  @Get('csrf')
  @ApiOperation({
    summary: "This sign-in's CSRF token",
    description:
      'For a page that lost the token (a reload): send it as `X-CSRF-Token` on POST/PUT/PATCH/DELETE authenticated by a cookie — the session cookie, or the access cookie of the cookie transport.',
  })
  @ApiOkResponse({ type: CsrfDto })
  @Auth(AuthStrategy.Session, AuthStrategy.Jwt)
  csrfToken(@CurrentAuth() auth: AuthContext, @Req() req: Request) {
    if (auth.strategy === AuthStrategy.Session) return { csrfToken: this.sessions.current(req)!.csrfToken };
    return { csrfToken: this.csrf.issue(auth.signInId) };
  }
}
