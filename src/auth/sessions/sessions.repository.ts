import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { SessionBackend, SessionJson, SessionRecord } from './session-record';
import { SessionEntity } from './session.entity';

/** Sessions in PostgreSQL: the only code touching the `sessions` table. */
@Injectable()
export class SessionsRepository implements SessionBackend {
  private readonly sessions: Repository<SessionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.sessions = dataSource.getRepository(SessionEntity);
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

  async findLive(sidHash: string, now: number): Promise<SessionRecord | null> {
    const at = new Date(now);
    const row = await this.sessions
      .createQueryBuilder('s')
      .where('s.id = :sidHash AND s.revokedAt IS NULL AND s.idleExpiresAt > :at AND s.absoluteExpiresAt > :at', { sidHash, at })
      .getOne();
    return row ? toRecord(row) : null;
  }

  async updateData(sidHash: string, data: SessionJson): Promise<void> {
    // UPDATE only: a session destroyed by logout stays destroyed even if a slow request ends later.
    await this.sessions.update({ id: sidHash }, { data });
  }

  async touch(sidHash: string, now: number, idleTtlMs: number): Promise<void> {
    await this.sessions
      .createQueryBuilder()
      .update()
      .set({
        lastSeenAt: () => ':now',
        idleExpiresAt: () => 'LEAST(:idleUntil::timestamptz, "absolute_expires_at")',
      })
      .where('id = :sidHash AND revoked_at IS NULL', { sidHash })
      .setParameters({ now: new Date(now), idleUntil: new Date(now + idleTtlMs) })
      .execute();
  }

  async remove(sidHash: string): Promise<void> {
    await this.sessions.delete({ id: sidHash });
  }

  async listForUser(userId: string, now: number): Promise<SessionRecord[]> {
    const at = new Date(now);
    const rows = await this.sessions
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.revokedAt IS NULL AND s.idleExpiresAt > :at AND s.absoluteExpiresAt > :at', { userId, at })
      .orderBy('s.createdAt', 'DESC')
      .getMany();
    return rows.map(toRecord);
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

function toRecord(row: SessionEntity): SessionRecord {
  return {
    sidHash: row.id,
    publicId: row.publicId,
    userId: row.userId,
    data: row.data,
    createdAt: row.createdAt.getTime(),
    lastSeenAt: row.lastSeenAt.getTime(),
    idleExpiresAt: row.idleExpiresAt.getTime(),
    absoluteExpiresAt: row.absoluteExpiresAt.getTime(),
    userAgent: row.userAgent,
    ip: row.ip,
  };
}
