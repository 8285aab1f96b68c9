import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth.types';
import { HotQueries } from '../persistence/hot-queries';
import { TurnBatcher } from '../persistence/turn-batcher';
import { ApiKeyEntity } from './api-key.entity';

/** A live key as a request sees it: its owner as stored now, its scopes. */
export interface LiveApiKey {
  id: string;
  scopes: string[];
  user: AuthUser;
  lastUsedAt: number | null;
}

interface LiveRow {
  hash: string;
  id: string;
  scopes: string[];
  last_used_at: Date | null;
  user_id: string;
  email: string;
  display_name: string | null;
  roles: string[];
}

/** How often `last_used_at` is written per key, at most. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export type NewApiKey = Pick<ApiKeyEntity, 'id' | 'userId' | 'name' | 'scopes' | 'prefix' | 'hash' | 'expiresAt'>;

/** The only code touching `auth_api_keys`. */
@Injectable()
export class ApiKeysRepository {
  private readonly hot: HotQueries;
  /**
   * The per-request lookup: one indexed query per event-loop turn for every key asked about in it,
   * nothing kept between requests — a deleted key (or a disabled user) is refused by the very
   * next request.
   */
  private readonly lookups = new TurnBatcher(async (hashes: string[]) => {
    const rows = await this.hot.rows<LiveRow>(
      `SELECT k.hash, k.id, k.scopes, k.last_used_at, u.id AS user_id, u.email, u.display_name, u.roles
         FROM auth_api_keys k JOIN auth_users u ON u.id = k.user_id
        WHERE k.hash = ANY($1::text[]) AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.disabled_at IS NULL`,
      [hashes],
    );
    return new Map(rows.map((r) => [r.hash, r]));
  });
  /** `last_used_at` writes of one turn share a statement. */
  private readonly touches = new TurnBatcher(async (ids: string[]) => {
    await this.hot.rows(
      `UPDATE auth_api_keys SET last_used_at = now()
        WHERE id = ANY($1::uuid[]) AND (last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION_MS} milliseconds')`,
      [ids],
    );
    return new Map<string, never>();
  });

  constructor(private readonly dataSource: DataSource) {
    this.hot = new HotQueries(dataSource);
  }

  async insert(key: NewApiKey): Promise<ApiKeyEntity> {
    const repo = this.dataSource.getRepository(ApiKeyEntity);
    await repo.insert(key);
    return (await repo.findOneByOrFail({ id: key.id }))!;
  }

  /** The user's keys, newest first (expired ones too, until housekeeping removes them). */
  listForUser(userId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  /** Deletes one of the user's keys; false when the user has no such key. */
  async deleteForUser(userId: string, id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ApiKeyEntity).delete({ id, userId });
    return (result.affected ?? 0) > 0;
  }

  async findLive(hash: string): Promise<LiveApiKey | null> {
    const row = await this.lookups.load(hash);
    if (!row) return null;
    return {
      id: row.id,
      scopes: row.scopes,
      user: { id: row.user_id, email: row.email, displayName: row.display_name, roles: row.roles },
      lastUsedAt: row.last_used_at ? new Date(row.last_used_at).getTime() : null,
    };
  }

  touch(id: string): Promise<unknown> {
    return this.touches.load(id);
  }

  /** Keys expired for longer than `graceMs` (kept a while so their owners see why a script stopped). */
  async pruneExpired(graceMs: number): Promise<number> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM auth_api_keys WHERE expires_at < now() - ($1::double precision * interval '1 millisecond')`,
      [graceMs],
    );
    return count;
  }
}
