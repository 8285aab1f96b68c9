import type { AuthUser } from '../auth.types';
import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { HotQueries } from '../persistence/hot-queries';
import { TurnBatcher } from '../persistence/turn-batcher';
import { SessionBackend, SessionJson, SessionRecord } from './session-record';
import { SessionEntity } from './session.entity';

/** Sessions in PostgreSQL: the only code touching the `auth_sessions` table. */
@Injectable()
export class SessionsRepository implements SessionBackend {
  private readonly sessions: Repository<SessionEntity>;
  private readonly hot: HotQueries;

  private readonly liveLookups = new TurnBatcher((sidHashes: string[]) => this.findLiveBatch(sidHashes));

  constructor(private readonly dataSource: DataSource) {
    this.sessions = dataSource.getRepository(SessionEntity);
    this.hot = new HotQueries(dataSource);
  }

  async create(r: SessionRecord): Promise<void> {
    await this.sessions.insert({
      id: r.sidHash,
      publicId: r.publicId,
      userId: r.userId,
      data: r.data,
      createdAt: new Date(r.createdAt),
      lastSeenAt: new Date(r.lastSeenAt),
      idleExpiresAt: new Date(r.idleExpiresAt),
      absoluteExpiresAt: new Date(r.absoluteExpiresAt),
      userAgent: r.userAgent,
      ip: r.ip,
    });
  }

  /**
   * Every authenticated session request asks this: lookups from one turn of the event loop share
   * one query (TurnBatcher), live as of the moment it is sent — never earlier than `now`.
   */
  async findLive(sidHash: string, _now: number): Promise<SessionRecord | null> {
    return (await this.liveLookups.load(sidHash)) ?? null;
  }

  private async findLiveBatch(sidHashes: string[]): Promise<Map<string, SessionRecord>> {
    const rows = await this.hot.rows<SessionRow>(`${SELECT_LIVE} AND id = ANY($2::text[])`, [new Date(), sidHashes]);
    return new Map(rows.map((r) => [r.id, fromRow(r)]));
  }

  async updateData(sidHash: string, data: SessionJson): Promise<void> {
    // UPDATE only: a session destroyed by logout stays destroyed even if a slow request ends later.
    await this.sessions.update({ id: sidHash }, { data });
  }

  async touch(sidHash: string, now: number, idleTtlMs: number): Promise<void> {
    await this.hot.rows(
      `UPDATE auth_sessions SET last_seen_at = $2, idle_expires_at = LEAST($3::timestamptz, absolute_expires_at)
        WHERE id = $1 AND revoked_at IS NULL`,
      [sidHash, new Date(now), new Date(now + idleTtlMs)],
    );
  }

  async remove(sidHash: string): Promise<void> {
    await this.sessions.delete({ id: sidHash });
  }

  async listForUser(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = await this.hot.rows<SessionRow>(`${SELECT_LIVE} AND user_id = $2 ORDER BY created_at DESC`, [new Date(now), userId]);
    return rows.map(fromRow);
  }

  async removeForUser(userId: string, publicId: string): Promise<boolean> {
    const result = await this.sessions.delete({ userId, publicId });
    return (result.affected ?? 0) > 0;
  }

  async removeAllForUser(userId: string, exceptPublicId?: string): Promise<void> {
    const q = this.sessions.createQueryBuilder().delete().where('user_id = :userId', { userId });
    if (exceptPublicId) q.andWhere('public_id <> :exceptPublicId', { exceptPublicId });
    await q.execute();
  }

  async updateUserForUser(userId: string, user: AuthUser): Promise<void> {
    await this.hot.rows(`UPDATE auth_sessions SET data = jsonb_set(data, '{auth,user}', $2::jsonb) WHERE user_id = $1 AND data ? 'auth'`, [
      userId,
      JSON.stringify(user),
    ]);
  }

  async pruneExpired(now: number): Promise<number> {
    const at = new Date(now);
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .where('idle_expires_at <= :at OR absolute_expires_at <= :at OR revoked_at IS NOT NULL', { at })
      .execute();
    return result.affected ?? 0;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/** Live sessions at $1: not revoked, before both deadlines. */
const SELECT_LIVE = `SELECT id, public_id, user_id, data, created_at, last_seen_at, idle_expires_at, absolute_expires_at, user_agent, ip
  FROM auth_sessions WHERE revoked_at IS NULL AND idle_expires_at > $1 AND absolute_expires_at > $1`;

interface SessionRow {
  id: string;
  public_id: string;
  user_id: string;
  data: SessionJson;
  created_at: Date;
  last_seen_at: Date;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  user_agent: string | null;
  ip: string | null;
}

function fromRow(r: SessionRow): SessionRecord {
  return {
    sidHash: r.id,
    publicId: r.public_id,
    userId: r.user_id,
    data: r.data,
    createdAt: r.created_at.getTime(),
    lastSeenAt: r.last_seen_at.getTime(),
    idleExpiresAt: r.idle_expires_at.getTime(),
    absoluteExpiresAt: r.absolute_expires_at.getTime(),
    userAgent: r.user_agent,
    ip: r.ip,
  };
}

