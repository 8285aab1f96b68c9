import { HttpStatus, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { CodedHttpException } from '../http/http-errors';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * At most this many hashes run at once, leaving a core to the event loop: a login flood then
 * queues behind itself instead of starving every other request (measured in BENCHMARKS.md).
 */
export const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
/** Beyond this many waiting, new hashing work is shed with 503 + Retry-After. */
export const HASH_QUEUE_LIMIT = 512;

/**
 * Hashes and verifies passwords with argon2id (`@node-rs/argon2`, measured fastest on this stack).
 * The PHC string carries its own parameters, so hashes made with older parameters keep verifying
 * and `needsRehash()` tells the login flow to upgrade them.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  hash(password: string): Promise<string> {
    return this.limited(() => hash(password, { algorithm: Algorithm.Argon2id, ...ARGON2_PARAMS }));
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await this.limited(() => verify(storedHash, password));
    } catch (err) {
      if (err instanceof CodedHttpException) throw err;
      return false; // a malformed stored hash never verifies
    }
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= HASH_CONCURRENCY) {
      if (this.waiting.length >= HASH_QUEUE_LIMIT) {
        throw new CodedHttpException(HttpStatus.SERVICE_UNAVAILABLE, 'overloaded', 'Too many sign-ins in progress; try again shortly', {
          'Retry-After': '1',
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /**
   * Spends the same time as a real verification, for logins with an unknown email, so response
   * time does not reveal which emails have accounts.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('dummy password for timing equalisation');
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when the hash was made with another algorithm or other parameters than today's. */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    const [, m, t, p] = match.map(Number);
    return m !== ARGON2_PARAMS.memoryCost || t !== ARGON2_PARAMS.timeCost || p !== ARGON2_PARAMS.parallelism;
  }
}
