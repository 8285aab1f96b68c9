import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './csrf.guard';
import { JwtKeyring } from '../tokens/jwt-keyring';

const MAX_TOKEN_LENGTH = 128;

/**
 * CSRF tokens for sign-ins whose tokens travel in cookies: OWASP's *signed* double-submit.
 * A token is `nonce.HMAC(key, signInId.nonce)` — bound to one sign-in, so a token from the
 * attacker's own sign-in is worthless against a victim's cookies, and nothing has to be stored:
 * any token issued for the sign-in verifies (login, every refresh, `GET csrf` after a reload).
 */
@Injectable()
export class CsrfTokens {
  constructor(private readonly keyring: JwtKeyring) {}

  issue(signInId: string): string {
    const nonce = randomBytes(18).toString('base64url');
    return `${nonce}.${this.mac(signInId, nonce)}`;
  }

  verify(token: string, signInId: string): boolean {
    if (token.length > MAX_TOKEN_LENGTH) return false;
    const [nonce, mac, extra] = token.split('.');
    if (!nonce || !mac || extra !== undefined) return false;
    return constantTimeEqual(mac, this.mac(signInId, nonce));
  }

  private mac(signInId: string, nonce: string): string {
    return createHmac('sha256', this.keyring.csrfKey).update(`${signInId}.${nonce}`).digest('base64url');
  }
}
