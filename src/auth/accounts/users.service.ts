import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PasswordHasher } from '../passwords/password-hasher';
import { passwordProblem } from '../passwords/password-policy';
import { isPlausibleEmail, normaliseEmail } from './email';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

/** A rule the input broke; the message is safe to show the client. */
export class InvalidUserInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidUserInputError';
  }
}

export interface NewUser {
  email: string;
  password: string;
  displayName?: string | null;
  roles?: string[];
  /** Created with the email already verified (an operator's `user:create`). Default false. */
  emailVerified?: boolean;
}

export const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * Creates a user after checking every rule (also for callers that bypass HTTP validation, such
   * as `npm run user:create`). Throws `InvalidUserInputError` or `EmailTakenError`.
   */
  async create(input: NewUser): Promise<UserEntity> {
    const email = normaliseEmail(input.email);
    if (!isPlausibleEmail(email)) throw new InvalidUserInputError('email must be an email address');
    const problem = passwordProblem(input.password);
    if (problem) throw new InvalidUserInputError(problem);
    const roles = [...new Set(input.roles ?? ['user'])];
    const badRole = roles.find((r) => !ROLE_PATTERN.test(r));
    if (badRole !== undefined) {
      throw new InvalidUserInputError('roles must be lower-case names (letters, digits, - and _)');
    }
    const displayName = input.displayName?.trim() || null;
    return this.users.insert({
      email,
      passwordHash: await this.hasher.hash(input.password),
      displayName,
      roles,
      emailVerifiedAt: input.emailVerified ? new Date() : null,
    });
  }

  /** Stores a new hash for the password (rules are the caller's to check). */
  async setPassword(userId: string, password: string, em?: EntityManager): Promise<void> {
    await this.users.updatePasswordHash(userId, await this.hasher.hash(password), em);
  }

  /** Hashes a password (to store it later, inside a transaction of the caller's). */
  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  setDisabled(userId: string, disabled: boolean): Promise<boolean> {
    return this.users.setDisabled(userId, disabled);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(normaliseEmail(email));
  }
}
