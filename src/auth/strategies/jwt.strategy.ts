import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthErrorCode, AuthStrategy } from '../auth.types';
import type { JwtClaims } from '../tokens/jwt-codec';
import { TokenService } from '../tokens/token.service';
import { fail, RequestAuthStrategy, RouteAuthOptions, StrategyResult } from './request-strategy';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * `Authorization: Bearer <access token>` → the token's user, with no database work; on
 * `strict` routes one lookup also checks that the sign-in (family) and user are still live.
 */
@Injectable()
export class JwtStrategy implements RequestAuthStrategy {
  readonly name = AuthStrategy.Jwt;

  constructor(private readonly tokens: TokenService) {}

  authenticate(req: Request, _res: unknown, options: RouteAuthOptions): StrategyResult | Promise<StrategyResult> {
    const header = req.headers.authorization;
    if (header === undefined) return fail(AuthErrorCode.CredentialsMissing, 'Authentication required', false);
    const match = BEARER.exec(header);
    if (!match) return fail(AuthErrorCode.TokenInvalid, 'Authorization must be "Bearer <access token>"', true);

    const result = this.tokens.verifyAccessToken(match[1]);
    if (!result.ok) {
      return result.reason === 'expired'
        ? fail(AuthErrorCode.TokenExpired, 'Access token expired; refresh it and retry', true)
        : fail(AuthErrorCode.TokenInvalid, 'Invalid access token', true);
    }
    const c = result.claims;
    // The claims may be shared with other requests (verified-token cache): copy the roles.
    if (!options.strict) return signedIn(c, [...c.roles]);
    // Strict routes: the sign-in (family) and the user must still be live, and role changes
    // apply at once.
    return this.tokens
      .liveFamilyRoles(c.sid, c.sub)
      .then((live) => (live ? signedIn(c, live) : fail(AuthErrorCode.SigninRevoked, 'This sign-in was revoked; sign in again', true)));
  }
}

function signedIn(c: JwtClaims, roles: string[]): StrategyResult {
  return {
    ok: true,
    context: {
      user: { id: c.sub, email: c.email ?? '', displayName: c.name ?? null, roles },
      strategy: AuthStrategy.Jwt,
      signInId: c.sid,
    },
  };
}
