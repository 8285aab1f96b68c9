import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { CodedHttpException } from '../http/http-errors';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AuthErrorCode, AuthUser } from '../auth.types';
import { JwtClaims, signJwt, verifyJwt, JwtVerifyResult } from './jwt-codec';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { JwtKeyring } from './jwt-keyring';
import { VerifiedTokenCache } from './verified-token-cache';
import { LiveFamily, RefreshTokensRepository } from './refresh-tokens.repository';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds until the sign-in's absolute expiry (rotation never extends it). */
  refreshExpiresIn: number;
}

/** A pair just issued, with what the cookie transport needs to know about its sign-in. */
export interface IssuedTokens {
  pair: TokenPair;
  signInId: string;
  persistent: boolean;
}

export interface ClientMeta {
  userAgent: string | null;
  ip: string | null;
}

/** Refresh tokens: 32 random bytes, base64url (43 characters). Successors have the same shape. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Access tokens remembered as verified: about 1 KB each, so at most ~10 MB. */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Issues, rotates and revokes tokens. Access tokens are stateless; refresh tokens are not. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(AUTH_OPTIONS) private readonly config: AuthOptions,
    private readonly keyring: JwtKeyring,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly events: AuthEvents,
  ) {}

  private readonly verified = new VerifiedTokenCache(VERIFIED_TOKEN_CACHE_SIZE);
  private readonly logger = new Logger('Tokens');

  /** How access tokens are signed: HS256, EdDSA, ES256 or RS256. */
  get algorithm(): string {
    return this.keyring.alg;
  }

  /**
   * A new sign-in (refresh family) and its first token pair. `persistent: false` (the user did not
   * ask to be remembered) caps the sign-in at the short lifetime, and its cookies, if any, end
   * with the browser session.
   */
  async issue(user: AuthUser, meta: ClientMeta, { persistent = true } = {}): Promise<IssuedTokens> {
    const familyId = randomUUID();
    const refreshToken = randomBytes(32).toString('base64url');
    const { refreshTtlMs } = this.config.jwt;
    const lifetime = persistent ? refreshTtlMs : Math.min(this.config.shortSignInTtlMs, refreshTtlMs);
    const absoluteExpiresAt = new Date(Date.now() + lifetime);
    await this.refreshTokens.createFamily({ id: familyId, userId: user.id, absoluteExpiresAt, persistent, ...meta }, sha256(refreshToken));
    this.events.emit(AuthEvent.LoginSucceeded, { userId: user.id, kind: 'token', signInId: familyId, ...meta });
    return { pair: this.pair(user, familyId, refreshToken, absoluteExpiresAt), signInId: familyId, persistent };
  }

  /**
   * Spends a refresh token for a new pair. A spent token whose successor is still unused returns
   * the same successor within `JWT_REFRESH_GRACE` of its answer reaching the client (racing tabs,
   * retries after an outage); otherwise a spent token revokes its whole family.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const successor = this.successorOf(refreshToken);
    const outcome = await this.refreshTokens.rotate(sha256(refreshToken), sha256(successor), this.config.jwt.refreshGraceMs);
    switch (outcome.kind) {
      case 'rotated':
      case 'replayed':
        this.events.emit(AuthEvent.TokenRefreshed, {
          userId: outcome.user.id,
          signInId: outcome.familyId,
          replayedWithinGrace: outcome.kind === 'replayed',
        });
        return { pair: this.pair(outcome.user, outcome.familyId, successor, outcome.absoluteExpiresAt), signInId: outcome.familyId, persistent: outcome.persistent };
      case 'unknown':
        throw refreshRefused(AuthErrorCode.TokenInvalid, 'Unknown refresh token; sign in again');
      case 'expired':
        throw refreshRefused(AuthErrorCode.TokenInvalid, 'Refresh token expired; sign in again');
      case 'reused':
        this.events.emit(AuthEvent.RefreshReuseDetected, { userId: outcome.userId, signInId: outcome.familyId });
        this.events.emit(AuthEvent.SignInRevoked, { userId: outcome.userId, signInId: outcome.familyId, reason: 'reuse' });
        throw refreshRefused(AuthErrorCode.SigninRevoked, 'This sign-in was revoked; sign in again');
      case 'revoked':
        throw refreshRefused(AuthErrorCode.SigninRevoked, 'This sign-in was revoked; sign in again');
    }
  }

  /** The sign-in a refresh token belongs to (to check a cookie request's CSRF token before spending it). */
  signInOfRefreshToken(refreshToken: string): Promise<string | null> {
    return this.refreshTokens.familyOfToken(sha256(refreshToken));
  }

  /**
   * Call once the answer to `refresh(refreshToken)` has been handed to the client (the response
   * finished): from then on a replay of `refreshToken` is allowed only within JWT_REFRESH_GRACE.
   * A failure to record it only keeps the replay open longer; it is logged, never thrown.
   */
  confirmAnswered(refreshToken: string): void {
    this.refreshTokens.markAnswered(sha256(refreshToken)).catch((err: Error) => {
      this.logger.warn(`could not record a delivered refresh (${err.message}); its replay window stays open`);
    });
  }

  /** Revokes the token's whole family. Unknown tokens are ignored (idempotent, no oracle). */
  async revoke(refreshToken: string): Promise<void> {
    const family = await this.refreshTokens.revokeFamilyOfToken(sha256(refreshToken), 'revoked');
    if (family) this.events.emit(AuthEvent.SignInRevoked, { userId: family.userId, signInId: family.familyId, reason: 'revoked' });
  }

  /** Checks an access token; a token seen before costs one map lookup (see VerifiedTokenCache). */
  verifyAccessToken(token: string): JwtVerifyResult {
    const now = Math.floor(Date.now() / 1000);
    const remembered = this.rememberedAccessToken(token, now);
    if (remembered) return remembered;
    const { issuer, audience } = this.config.jwt;
    const result = verifyJwt(token, { alg: this.keyring.alg, keys: this.keyring.verification, issuer, audience, now });
    if (result.ok) this.verified.add(token, result.claims);
    return result;
  }

  /**
   * verifyAccessToken's answer for a token that verified before (valid, or expired since);
   * undefined for any other string, which then needs the full check.
   */
  rememberedAccessToken(token: string, now = Math.floor(Date.now() / 1000)): JwtVerifyResult | undefined {
    const cached = this.verified.get(token, now);
    if (cached === undefined) return undefined;
    return cached === 'expired' ? { ok: false, reason: 'expired', message: 'access token expired' } : { ok: true, claims: cached };
  }

  /** Strict, fresh and verified routes: the live family and its user as stored now, else null. */
  liveFamily(familyId: string, userId: string): Promise<LiveFamily | null> {
    return this.refreshTokens.findLiveFamily(familyId, userId);
  }

  /** `POST reauthenticate` for a token sign-in: its last authentication is now. False when it is not live. */
  markAuthenticated(familyId: string, userId: string): Promise<boolean> {
    return this.refreshTokens.markAuthenticated(familyId, userId);
  }

  /**
   * The successor of a refresh token is an HMAC of it under a server key: computable again for a
   * grace-window replay, so no usable token is ever stored.
   */
  private successorOf(refreshToken: string): string {
    return createHmac('sha256', this.keyring.refreshKey).update(refreshToken).digest('base64url');
  }

  private pair(user: AuthUser, familyId: string, refreshToken: string, absoluteExpiresAt: Date): TokenPair {
    const now = Math.floor(Date.now() / 1000);
    const { accessTtlMs, issuer, audience } = this.config.jwt;
    const expiresIn = Math.floor(accessTtlMs / 1000);
    const claims: JwtClaims = {
      sub: user.id,
      sid: familyId,
      roles: user.roles,
      email: user.email,
      name: user.displayName,
      iat: now,
      exp: now + expiresIn,
      iss: issuer,
      aud: audience,
      jti: randomUUID(),
    };
    return {
      accessToken: signJwt(claims, this.keyring.signing),
      tokenType: 'Bearer',
      expiresIn,
      refreshToken,
      refreshExpiresIn: Math.max(0, Math.floor((absoluteExpiresAt.getTime() - Date.now()) / 1000)),
    };
  }
}

const refreshRefused = (code: AuthErrorCode, message: string) =>
  new CodedHttpException(HttpStatus.UNAUTHORIZED, code, message);
