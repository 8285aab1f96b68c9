import { Inject, Injectable } from '@nestjs/common';
import { parse as parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { AUTH_OPTIONS, AUTH_ROUTING, AuthOptions, ResolvedRouting } from '../auth.options';

export interface CookiePair {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds until the sign-in's absolute expiry. */
  refreshExpiresIn: number;
  csrfToken: string;
  /** `rememberMe`: persistent cookies; otherwise browser-session cookies (no Max-Age/Expires). */
  persistent: boolean;
}

/**
 * The cookies of a sign-in whose tokens travel in cookies (`transport: "cookie"`), per docs/API.md:
 * - access token: `access_token` (`__Host-` when Secure), HttpOnly, `Path=/`, `SameSite` as
 *   configured, living as long as the token;
 * - refresh token: `refresh_token` (`__Secure-` when Secure), HttpOnly, `Path=<prefix>/token` —
 *   never sent anywhere but the refresh and revoke endpoints — `SameSite=Strict` unless `none`;
 * - CSRF token: `csrf_token` (`__Host-` when Secure), readable by page scripts on purpose (it is
 *   not a credential: it proves a request came from a page that can read our cookies).
 */
@Injectable()
export class TokenCookies {
  readonly accessName: string;
  readonly refreshName: string;
  readonly csrfName: string;
  readonly refreshPath: string;
  private readonly base: CookieOptions;
  private readonly refreshSameSite: 'strict' | 'none';

  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions, @Inject(AUTH_ROUTING) routing: ResolvedRouting) {
    const { secure, sameSite, partitioned } = options.cookie;
    this.accessName = secure ? '__Host-access_token' : 'access_token';
    this.refreshName = secure ? '__Secure-refresh_token' : 'refresh_token';
    this.csrfName = secure ? '__Host-csrf_token' : 'csrf_token';
    this.refreshPath = `/${routing.routes.prefix}${routing.routes.prefix ? '/' : ''}token`.replace(/\/+/g, '/');
    this.base = { secure, sameSite, ...(partitioned && { partitioned: true }) };
    this.refreshSameSite = sameSite === 'none' ? 'none' : 'strict';
  }

  set(res: Response, c: CookiePair): void {
    const life = (seconds: number) => (c.persistent ? { maxAge: seconds * 1000 } : {});
    res.cookie(this.accessName, c.accessToken, { ...this.base, httpOnly: true, path: '/', ...life(c.expiresIn) });
    res.cookie(this.refreshName, c.refreshToken, { ...this.base, sameSite: this.refreshSameSite, httpOnly: true, path: this.refreshPath, ...life(c.refreshExpiresIn) });
    res.cookie(this.csrfName, c.csrfToken, { ...this.base, httpOnly: false, path: '/', ...life(c.refreshExpiresIn) });
  }

  /** Clears every cookie of the sign-in, each on the path it was set with. */
  clear(res: Response): void {
    res.clearCookie(this.accessName, { ...this.base, httpOnly: true, path: '/' });
    res.clearCookie(this.refreshName, { ...this.base, sameSite: this.refreshSameSite, httpOnly: true, path: this.refreshPath });
    res.clearCookie(this.csrfName, { ...this.base, httpOnly: false, path: '/' });
  }

  /** The access token from its cookie, if the request has one (cheap check before parsing). */
  accessTokenOf(req: Request): string | undefined {
    return this.read(req, this.accessName);
  }

  refreshTokenOf(req: Request): string | undefined {
    return this.read(req, this.refreshName);
  }

  private read(req: Request, name: string): string | undefined {
    const header = req.headers.cookie;
    if (!header?.includes(`${name}=`)) return undefined;
    return parseCookie(header)[name] || undefined;
  }
}
