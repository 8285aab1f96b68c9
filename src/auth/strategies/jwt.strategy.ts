import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthErrorCode, AuthStrategy } from '../auth.types';
import type { JwtClaims, JwtVerifyResult } from '../tokens/jwt-codec';
import { markCookieCredential } from '../csrf/csrf.guard';
import { CsrfTokens } from '../csrf/csrf-tokens';
import { TokenCookies } from '../tokens/token-cookies';
import { TokenService } from '../tokens/token.service';
import { fail, RequestAuthStrategy, RouteAuthOptions, setSignInFacts, StrategyResult } from './request-strategy';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * The access token → the token's user, with no database work; on `strict` routes one lookup
 * also checks that the sign-in (family) and user are still live. The token comes from
 * `Authorization: Bearer`, or — when that header is absent — from the access cookie of the
 * cookie transport, and then it is a cookie credential: unsafe requests need the sign-in's CSRF
 * token (the one rule in csrf.guard.ts).
 */
@Injectable()
export class JwtStrategy implements RequestAuthStrategy {
  readonly name = AuthStrategy.Jwt;

  constructor(
    private readonly tokens: TokenService,
    private readonly cookies: TokenCookies,
    private readonly csrf: CsrfTokens,
  ) {}

  authenticate(req: Request, _res: unknown, options: RouteAuthOptions): StrategyResult | Promise<StrategyResult> {
    const header = req.headers.authorization;
    let result: JwtVerifyResult | undefined;
    if (header !== undefined) {
      // The usual request: "Bearer <a token that verified before>". A remembered token passed
      // verifyJwt, so it is three base64url parts — inside BEARER's alphabet, no spaces — and
      // "Bearer " followed by it is a header BEARER accepts: the scan of the header is skipped.
      if (header.startsWith('Bearer ')) result = this.tokens.rememberedAccessToken(header.slice(7));
      if (result === undefined) {
        const match = BEARER.exec(header);
        if (!match) return fail(AuthErrorCode.TokenInvalid, 'Authorization must be "Bearer <access token>"', true);
        result = this.tokens.verifyAccessToken(match[1]);
      }
    } else {
      const fromCookie = this.cookies.accessTokenOf(req);
      if (fromCookie === undefined) return fail(AuthErrorCode.CredentialsMissing, 'Authentication required', false);
      result = this.tokens.verifyAccessToken(fromCookie);
    }

    if (!result.ok) {
      return result.reason === 'expired'
        ? fail(AuthErrorCode.TokenExpired, 'Access token expired; refresh it and retry', true)
        : fail(AuthErrorCode.TokenInvalid, 'Invalid access token', true);
    }
    const c = result.claims;
    if (header === undefined) markCookieCredential(req, { csrfValid: (presented) => this.csrf.verify(presented, c.sid) });
    // The claims may be shared with other requests (verified-token cache): copy the roles.
    if (!options.strict && !options.fresh && !options.verified) return signedIn(c, [...c.roles]);
    // Strict, fresh and verified routes read the sign-in (family) and its user: both must still be
    // live; role changes apply at once; the family holds the last authentication time.
    return this.tokens.liveFamily(c.sid, c.sub).then((live) => {
      if (!live) return fail(AuthErrorCode.SigninRevoked, 'This sign-in was revoked; sign in again', true);
      setSignInFacts(req, { authenticatedAt: live.authenticatedAt, emailVerified: live.emailVerified });
      return signedIn(c, options.strict ? live.roles : [...c.roles]);
    });
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
