import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { OneTimeTokenPurpose } from './one-time-token.entity';

/** 32 random bytes, base64url: 43 characters. Anything else is refused before the database is asked. */
export const ONE_TIME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface IssueOneTimeToken {
  userId: string;
  purpose: OneTimeTokenPurpose;
  /** The address the token speaks for. */
  email: string;
  signInId?: string | null;
  ttlMs: number;
}

/** What a spent token said. */
export interface SpentToken {
  userId: string;
  email: string;
  signInId: string | null;
}

/**
 * One-time tokens for every mailed link, in one table (`auth_one_time_tokens`): random, stored
 * only as SHA-256, bound to a user, a purpose and an address, single use, expiring; a newer token
 * of the same purpose voids the user's older ones.
 */
@Injectable()
export class OneTimeTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new token (returned once, to be mailed); the user's unused tokens of that purpose are void. */
  async issue(input: IssueOneTimeToken): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.dataSource.transaction(async (em) => {
      await em.query(`DELETE FROM auth_one_time_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [input.userId, input.purpose]);
      await em.query(
        `INSERT INTO auth_one_time_tokens (hash, user_id, purpose, email, sign_in_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + ($6::double precision * interval '1 millisecond'))`,
        [sha256(token), input.userId, input.purpose, input.email, input.signInId ?? null, input.ttlMs],
      );
    });
    return token;
  }

  /**
   * Spends the token and runs `apply` in the same transaction. The spend is one conditional
   * statement (`… WHERE used_at IS NULL AND expires_at > now()`), so of two concurrent uses exactly
   * one gets the row; the other waits for its commit and finds it used. Returns null when the
   * token is malformed, unknown, used, expired or of another purpose. If `apply` throws, nothing
   * is spent and nothing changes.
   */
  async consume<T>(token: string, purpose: OneTimeTokenPurpose, apply: (spent: SpentToken, em: EntityManager) => Promise<T>): Promise<{ value: T } | null> {
    if (!ONE_TIME_TOKEN_PATTERN.test(token)) return null;
    return this.dataSource.transaction(async (em) => {
      const [rows]: [Array<{ user_id: string; email: string; sign_in_id: string | null }>, number] = await em.query(
        `UPDATE auth_one_time_tokens SET used_at = now()
          WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id, email, sign_in_id`,
        [sha256(token), purpose],
      );
      if (!rows.length) return null;
      const [row] = rows;
      return { value: await apply({ userId: row.user_id, email: row.email, signInId: row.sign_in_id }, em) };
    });
  }

  /** What the token says, if it would be accepted now — without spending it. */
  async peek(token: string, purpose: OneTimeTokenPurpose): Promise<SpentToken | null> {
    if (!ONE_TIME_TOKEN_PATTERN.test(token)) return null;
    const [row]: Array<{ user_id: string; email: string; sign_in_id: string | null }> = await this.dataSource.query(
      `SELECT user_id, email, sign_in_id FROM auth_one_time_tokens WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
      [sha256(token), purpose],
    );
    return row ? { userId: row.user_id, email: row.email, signInId: row.sign_in_id } : null;
  }

  /** Voids the user's unused tokens of a purpose (a password change voids pending resets). */
  async voidFor(userId: string, purpose: OneTimeTokenPurpose, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.query(`DELETE FROM auth_one_time_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [userId, purpose]);
  }

  /** Deletes expired and used tokens (a used token's row has no further use: reuse finds nothing either way). */
  async prune(): Promise<number> {
    const [, count]: [unknown, number] = await this.dataSource.query(`DELETE FROM auth_one_time_tokens WHERE expires_at <= now() OR used_at IS NOT NULL`);
    return count;
  }
}
