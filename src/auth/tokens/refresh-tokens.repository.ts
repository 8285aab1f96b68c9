import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HotQueries } from '../persistence/hot-queries';
import { TurnBatcher } from '../persistence/turn-batcher';
import { AuthUser } from '../auth.types';
import { RefreshFamilyEntity } from './refresh-family.entity';
import { isUuid } from '../shared/uuid';

export interface NewFamily {
  id: string;
  persistent: boolean;
  userId: string;
  absoluteExpiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

interface FamilyOwner {
  familyId: string;
  persistent: boolean;
  absoluteExpiresAt: Date;
  user: AuthUser;
}

/** A live family as strict, fresh and verified routes see it. */
export interface LiveFamily {
  userId: string;
  /** The user's current roles. */
  roles: string[];
  /** Epoch ms of the last authentication. */
  authenticatedAt: number;
  emailVerified: boolean;
}

export type RotationOutcome =
  | ({ kind: 'rotated' } & FamilyOwner)
  /** The token was spent within the grace window and its successor is unused: same successor. */
  | ({ kind: 'replayed' } & FamilyOwner)
  | { kind: 'unknown' }
  | { kind: 'expired' }
  | { kind: 'revoked' }
  /** A spent token came back outside the grace window: the family has just been revoked. */
  | { kind: 'reused'; familyId: string; userId: string };

interface OwnerRow {
  family_id: string;
  persistent: boolean;
  absolute_expires_at: Date;
  user_id: string;
  email: string;
  display_name: string | null;
  roles: string[];
}

const DEADLOCK_DETECTED = '40P01';

/** One caller's rotation; each call is its own key (never merged with another caller's). */
interface Rotation {
  hash: string;
  successorHash: string;
}

/** What TypeORM's `query()` returns for an UPDATE on PostgreSQL: `[rows, affected count]`. */
type UpdateResult = [unknown[], number];

const toOwner = (r: OwnerRow): FamilyOwner => ({
  familyId: r.family_id,
  persistent: r.persistent,
  absoluteExpiresAt: r.absolute_expires_at,
  user: { id: r.user_id, email: r.email, displayName: r.display_name, roles: r.roles },
});

/** Refresh families and tokens: the only code touching `auth_refresh_families` and `auth_refresh_tokens`. */
@Injectable()
export class RefreshTokensRepository {
  private readonly hot: HotQueries;

  private readonly rotations = new TurnBatcher((requests: Rotation[]) => this.spendBatch(requests));
  private readonly liveFamilies = new TurnBatcher((familyIds: string[]) => this.findLiveFamilies(familyIds));
  private readonly answered = new TurnBatcher(async (hashes: string[]) => {
    await this.hot.rows(`UPDATE auth_refresh_tokens SET answered_at = now() WHERE hash = ANY($1::text[]) AND answered_at IS NULL`, [hashes]);
    return new Map<string, never>();
  });

  constructor(private readonly dataSource: DataSource) {
    this.hot = new HotQueries(dataSource);
  }

  /** A new family with its first token, atomically. */
  async createFamily(family: NewFamily, firstTokenHash: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.insert(RefreshFamilyEntity, family);
      await em.query(`INSERT INTO auth_refresh_tokens (hash, family_id) VALUES ($1, $2)`, [firstTokenHash, family.id]);
    });
  }

  /**
   * Spends `hash` and records `successorHash` as its one successor — in a single statement, so
   * "at most one successor" holds under any concurrency: the conditional UPDATE lets exactly one
   * caller through (the others wait on the row lock, then see it spent), and the unique index on
   * `parent_hash` backs it up. Callers that lose find out why with one more query.
   * Rotations asked for during one turn of the event loop share that statement (see
   * `spendBatch`); each token in it is spent, or not, exactly as if it were alone.
   */
  async rotate(hash: string, successorHash: string, graceMs: number): Promise<RotationOutcome> {
    const rotated = await this.rotations.load({ hash, successorHash });
    if (rotated) return { kind: 'rotated', ...toOwner(rotated) };

    const [state]: Array<
      OwnerRow & { revoked: boolean; expired: boolean; within_grace: boolean; successor_unused: boolean }
    > = await this.dataSource.query(
      `SELECT t.family_id, f.persistent, f.absolute_expires_at, u.id AS user_id, u.email, u.display_name, u.roles,
              (f.revoked_at IS NOT NULL OR u.disabled_at IS NOT NULL) AS revoked,
              f.absolute_expires_at <= now() AS expired,
              (t.answered_at IS NULL OR t.answered_at >= now() - ($2::double precision * interval '1 millisecond')) AS within_grace,
              (s.hash IS NOT NULL AND s.spent_at IS NULL) AS successor_unused
         FROM auth_refresh_tokens t
         JOIN auth_refresh_families f ON f.id = t.family_id
         JOIN auth_users u ON u.id = f.user_id
         LEFT JOIN auth_refresh_tokens s ON s.parent_hash = t.hash
        WHERE t.hash = $1`,
      [hash, graceMs],
    );
    if (!state) return { kind: 'unknown' };
    if (state.revoked) return { kind: 'revoked' };
    if (state.expired) return { kind: 'expired' };
    // The grace runs from when the rotation's answer reached the client, not from when the token
    // was spent: a rotation whose answer never left (a 503 after the commit, a crash, a cut
    // connection) stays replayable — however long the outage — until its successor is used.
    // JWT_REFRESH_GRACE=0 turns replay off altogether (exactly one concurrent refresh succeeds).
    if (graceMs > 0 && state.within_grace && state.successor_unused) return { kind: 'replayed', ...toOwner(state) };
    // RFC 9700 §4.14.2: a spent refresh token presented again means it may be stolen.
    await this.revokeFamily(state.family_id, 'reuse');
    return { kind: 'reused', familyId: state.family_id, userId: state.user_id };
  }

  /**
   * One statement for many rotations. Hashes are sent distinct (a token presented twice in one
   * turn is spent once: the first caller gets the successor, the others take the loser's path and
   * learn "replayed within grace" or "reused", as they would from a separate statement) and
   * sorted, so concurrent statements take the token rows' locks in the same order.
   */
  private async spendBatch(requests: Rotation[]): Promise<Map<Rotation, OwnerRow>> {
    const first = new Map<string, Rotation>();
    for (const r of requests) if (!first.has(r.hash)) first.set(r.hash, r);
    const distinct = [...first.values()].sort((a, b) => (a.hash < b.hash ? -1 : 1));
    const spend = () => this.hot.rows<OwnerRow & { hash: string }>(
      `WITH req AS (
         SELECT * FROM unnest($1::text[], $2::text[]) AS r(hash, successor_hash)
       ), spent AS (
         UPDATE auth_refresh_tokens t SET spent_at = now()
           FROM req r, auth_refresh_families f
          WHERE t.hash = r.hash AND t.spent_at IS NULL AND f.id = t.family_id
            AND f.revoked_at IS NULL AND f.absolute_expires_at > now()
            AND NOT EXISTS (SELECT 1 FROM auth_users u WHERE u.id = f.user_id AND u.disabled_at IS NOT NULL)
         RETURNING t.hash, r.successor_hash, t.family_id, f.user_id, f.persistent, f.absolute_expires_at
       ), successor AS (
         INSERT INTO auth_refresh_tokens (hash, family_id, parent_hash) SELECT successor_hash, family_id, hash FROM spent
       ), touched AS (
         UPDATE auth_refresh_families SET last_used_at = now() WHERE id IN (SELECT family_id FROM spent)
       )
       SELECT s.hash, s.family_id, s.persistent, s.absolute_expires_at, u.id AS user_id, u.email, u.display_name, u.roles
         FROM spent s JOIN auth_users u ON u.id = s.user_id`,
      [distinct.map((r) => r.hash), distinct.map((r) => r.successorHash)],
    );
    // Two statements could still lock the same rows in opposite orders if the planner does not
    // follow the sorted list; PostgreSQL then aborts one of them whole, and it is safe to resend.
    const rows = await spend().catch((err: unknown) => {
      if ((err as { code?: string }).code === DEADLOCK_DETECTED) return spend();
      throw err;
    });
    return new Map(rows.map((row) => [first.get(row.hash)!, row]));
  }

  /**
   * Records that the answer to the rotation which spent `hash` (a new pair, or its replay) was
   * handed to the client. The grace window for replaying `hash` is measured from here. Writes
   * from one turn of the event loop share one statement.
   */
  async markAnswered(hash: string): Promise<void> {
    await this.answered.load(hash);
  }

  /** The sign-in (family) a refresh token belongs to, spent or not; null when unknown. */
  async familyOfToken(hash: string): Promise<string | null> {
    const [row] = await this.hot.rows<{ family_id: string }>(`SELECT family_id FROM auth_refresh_tokens WHERE hash = $1`, [hash]);
    return row?.family_id ?? null;
  }

  /**
   * Revokes the live family the token belongs to (spent or not). Returns it, or null when the
   * token is unknown or its family was already revoked (revoking again changes nothing).
   */
  async revokeFamilyOfToken(hash: string, reason: string): Promise<{ familyId: string; userId: string } | null> {
    const [rows]: [Array<{ id: string; user_id: string }>, number] = await this.dataSource.query(
      `UPDATE auth_refresh_families SET revoked_at = now(), revoked_reason = $2
        WHERE id = (SELECT family_id FROM auth_refresh_tokens WHERE hash = $1) AND revoked_at IS NULL
       RETURNING id, user_id`,
      [hash, reason],
    );
    return rows.length ? { familyId: rows[0].id, userId: rows[0].user_id } : null;
  }

  async revokeFamily(familyId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_refresh_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    );
  }

  /** The user's live families (sign-ins), newest first. */
  listLiveForUser(userId: string): Promise<RefreshFamilyEntity[]> {
    return this.dataSource
      .getRepository(RefreshFamilyEntity)
      .createQueryBuilder('f')
      .where('f.userId = :userId AND f.revokedAt IS NULL AND f.absoluteExpiresAt > now()', { userId })
      .orderBy('f.createdAt', 'DESC')
      .getMany();
  }

  /** Revokes one of the user's live families; false when the user has no such live family. */
  async revokeForUser(userId: string, familyId: string, reason: string): Promise<boolean> {
    const result: UpdateResult = await this.dataSource.query(
      `UPDATE auth_refresh_families SET revoked_at = now(), revoked_reason = $3
        WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND absolute_expires_at > now()`,
      [familyId, userId, reason],
    );
    return result[1] > 0;
  }

  /** Revokes every live family of the user except `exceptFamilyId`. */
  async revokeAllForUser(userId: string, reason: string, exceptFamilyId?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_refresh_families SET revoked_at = now(), revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [userId, reason, exceptFamilyId ?? null],
    );
  }

  /**
   * Deletes families past their absolute expiry, with their tokens (ON DELETE CASCADE). Spent
   * tokens of live families are kept on purpose: they are what reuse detection matches.
   */
  async pruneExpired(): Promise<number> {
    const result: UpdateResult = await this.dataSource.query(`DELETE FROM auth_refresh_families WHERE absolute_expires_at <= now()`);
    return result[1];
  }

  /**
   * For strict, fresh and verified routes: is the family live and does it belong to this user?
   * Returns it with its user's current roles and verification, or null. A primary-key lookup
   * joined to the user; lookups from one turn of the event loop share one query (TurnBatcher), so
   * each still sees every revocation committed before it was asked.
   */
  async findLiveFamily(familyId: string, userId: string): Promise<LiveFamily | null> {
    if (!isUuid(familyId)) return null; // one bad key must not fail the whole batch's query
    const live = await this.liveFamilies.load(familyId);
    return live && live.userId === userId ? live : null;
  }

  /** The family's last authentication becomes now (`POST reauthenticate`); false when it is not live. */
  async markAuthenticated(familyId: string, userId: string): Promise<boolean> {
    const result: UpdateResult = await this.dataSource.query(
      `UPDATE auth_refresh_families SET authenticated_at = now()
        WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND absolute_expires_at > now()`,
      [familyId, userId],
    );
    return result[1] > 0;
  }

  private async findLiveFamilies(familyIds: string[]): Promise<Map<string, LiveFamily>> {
    const rows = await this.hot.rows<{ id: string; user_id: string; roles: string[]; authenticated_at: Date; email_verified: boolean }>(
      `SELECT f.id, f.user_id, u.roles, f.authenticated_at, u.email_verified_at IS NOT NULL AS email_verified
         FROM auth_refresh_families f JOIN auth_users u ON u.id = f.user_id
        WHERE f.id = ANY($1::uuid[]) AND f.revoked_at IS NULL AND f.absolute_expires_at > now()
          AND u.disabled_at IS NULL`,
      [familyIds],
    );
    return new Map(
      rows.map((r) => [r.id, { userId: r.user_id, roles: r.roles, authenticatedAt: new Date(r.authenticated_at).getTime(), emailVerified: r.email_verified }]),
    );
  }
}
