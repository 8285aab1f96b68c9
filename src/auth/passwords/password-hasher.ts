import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes and verifies passwords with argon2id (`@node-rs/argon2`, measured fastest on this stack).
 * The PHC string carries its own parameters, so hashes made with older parameters keep verifying
 * and `needsRehash()` tells the login flow to upgrade them.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: Algorithm.Argon2id, ...ARGON2_PARAMS });
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false; // a malformed stored hash never verifies
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
