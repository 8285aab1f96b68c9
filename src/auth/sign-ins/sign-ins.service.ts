import { Inject, Injectable } from '@nestjs/common';
import { AuthContext, AuthStrategy } from '../auth.types';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { SESSION_BACKEND, SessionBackend } from '../sessions/session-record';
import { RefreshTokensRepository } from '../tokens/refresh-tokens.repository';
import { isUuid } from '../shared/uuid';

/** One row of the sign-in ledger (docs/API.md `GET /auth/sessions`). */
export interface SignInView {
  id: string;
  kind: 'session' | 'token';
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export type RevocationReason = 'revoked' | 'password_change' | 'password_reset' | 'email_change' | 'disabled' | 'account_deleted';

/**
 * The sign-in ledger: a user's browser sessions (database or Redis) and token families
 * (PostgreSQL) as one list, and revocation that works the same for both. Ids are the sessions'
 * public ids and the families' ids — never a cookie value or a token hash.
 */
@Injectable()
export class SignInsService {
  constructor(
    @Inject(SESSION_BACKEND) private readonly sessions: SessionBackend,
    private readonly families: RefreshTokensRepository,
    private readonly events: AuthEvents,
  ) {}

  async list(userId: string, current?: AuthContext): Promise<SignInView[]> {
    const iso = (ms: number | Date) => new Date(ms).toISOString();
    const [sessions, families] = await Promise.all([this.sessions.listForUser(userId, Date.now()), this.families.listLiveForUser(userId)]);
    const views: SignInView[] = [
      ...sessions.map((s) => ({
        id: s.publicId,
        kind: 'session' as const,
        createdAt: iso(s.createdAt),
        lastSeenAt: iso(s.lastSeenAt),
        expiresAt: iso(Math.min(s.idleExpiresAt, s.absoluteExpiresAt)),
        userAgent: s.userAgent,
        ip: s.ip,
        current: current?.strategy === AuthStrategy.Session && current.signInId === s.publicId,
      })),
      ...families.map((f) => ({
        id: f.id,
        kind: 'token' as const,
        createdAt: iso(f.createdAt),
        lastSeenAt: iso(f.lastUsedAt),
        expiresAt: iso(f.absoluteExpiresAt),
        userAgent: f.userAgent,
        ip: f.ip,
        current: current?.strategy === AuthStrategy.Jwt && current.signInId === f.id,
      })),
    ];
    return views.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Ends one of the user's sign-ins at once. False when the user has no such live sign-in. */
  async revoke(userId: string, signInId: string): Promise<boolean> {
    if (!isUuid(signInId)) return false;
    const revoked =
      (await this.sessions.removeForUser(userId, signInId)) || (await this.families.revokeForUser(userId, signInId, 'revoked'));
    if (revoked) this.events.emit(AuthEvent.SignInRevoked, { userId, signInId, reason: 'revoked' });
    return revoked;
  }

  /**
   * Ends every sign-in of the user except `keep` (the caller's own, when given; with no strategy,
   * whichever sign-in has that id).
   */
  async revokeAll(userId: string, reason: RevocationReason, keep?: Pick<AuthContext, 'signInId'> & Partial<Pick<AuthContext, 'strategy'>>): Promise<void> {
    await Promise.all([
      this.sessions.removeAllForUser(userId, keep && keep.strategy !== AuthStrategy.Jwt ? keep.signInId : undefined),
      this.families.revokeAllForUser(userId, reason, keep && keep.strategy !== AuthStrategy.Session ? keep.signInId : undefined),
    ]);
    this.events.emit(AuthEvent.SignInRevoked, { userId, allExcept: keep?.signInId ?? null, reason });
  }
}
