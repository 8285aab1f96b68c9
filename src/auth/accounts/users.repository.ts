import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError, Repository } from 'typeorm';
import { HotQueries } from '../persistence/hot-queries';
import { TurnBatcher } from '../persistence/turn-batcher';
import { isUuid } from '../shared/uuid';
import { UserEntity } from './user.entity';

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown) => err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION;

export class EmailTakenError extends Error {
  constructor() {
    super('email is already registered');
    this.name = 'EmailTakenError';
  }
}

/** The only code that touches the `auth_users` table. */
@Injectable()
export class UsersRepository {
  private readonly users: Repository<UserEntity>;
  private readonly hot: HotQueries;
  /** `verified` routes on sessions: the lookups of one event-loop turn share one query. */
  private readonly verification = new TurnBatcher(async (ids: string[]) => {
    const rows = await this.hot.rows<{ id: string; verified: boolean }>(
      `SELECT id, email_verified_at IS NOT NULL AS verified FROM auth_users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.verified]));
  });

  constructor(private readonly dataSource: DataSource) {
    this.users = dataSource.getRepository(UserEntity);
    this.hot = new HotQueries(dataSource);
  }

  /** `email` must already be normalised. */
  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Inserts a user; a taken email (even under a concurrent insert) is an `EmailTakenError`. */
  async insert(user: Pick<UserEntity, 'email' | 'passwordHash' | 'displayName' | 'roles' | 'emailVerifiedAt'>): Promise<UserEntity> {
    try {
      return await this.users.save(this.users.create(user));
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError();
      throw err;
    }
  }

  /** Whether the (enabled) user's email is verified; false for unknown or disabled users. */
  async isEmailVerified(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return (await this.verification.load(id)) ?? false;
  }

  /**
   * Marks the email verified — only while it is still `email` (a link for an address the user has
   * since changed verifies nothing). False when nothing matched.
   */
  async markEmailVerified(id: string, email: string, em: EntityManager = this.dataSource.manager): Promise<boolean> {
    const [, affected]: [unknown, number] = await em.query(
      `UPDATE auth_users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now() WHERE id = $1 AND email = $2`,
      [id, email],
    );
    return affected > 0;
  }

  /** Changes the email (verified, since it was confirmed by mail); a taken one is an `EmailTakenError`. */
  async changeEmail(id: string, email: string, em: EntityManager = this.dataSource.manager): Promise<boolean> {
    try {
      const [, affected]: [unknown, number] = await em.query(
        `UPDATE auth_users SET email = $2, email_verified_at = now(), updated_at = now() WHERE id = $1`,
        [id, email],
      );
      return affected > 0;
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError();
      throw err;
    }
  }

  async updateDisplayName(id: string, displayName: string | null): Promise<void> {
    await this.users.update({ id }, { displayName });
  }

  /** Deletes the user; sign-ins, tokens and keys in PostgreSQL go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** Sets or clears `disabled_at`; false when no user has that id. */
  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const result = await this.users.update({ id }, { disabledAt: disabled ? () => 'now()' : null });
    return (result.affected ?? 0) > 0;
  }

  async updatePasswordHash(id: string, passwordHash: string, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.update(UserEntity, { id }, { passwordHash });
  }
}
