import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError, Repository } from 'typeorm';
import { UserEntity } from './user.entity';

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

  constructor(dataSource: DataSource) {
    this.users = dataSource.getRepository(UserEntity);
  }

  /** `email` must already be normalised. */
  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Inserts a user; a taken email (even under a concurrent insert) is an `EmailTakenError`. */
  async insert(user: Pick<UserEntity, 'email' | 'passwordHash' | 'displayName' | 'roles'>): Promise<UserEntity> {
    try {
      return await this.users.save(this.users.create(user));
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505') {
        throw new EmailTakenError();
      }
      throw err;
    }
  }

  /** Sets or clears `disabled_at`; false when no user has that id. */
  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const result = await this.users.update({ id }, { disabledAt: disabled ? () => 'now()' : null });
    return (result.affected ?? 0) > 0;
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }
}
