import { Injectable } from '@nestjs/common';
import { PasswordHasher } from './passwords/password-hasher';
import { UserEntity } from './accounts/user.entity';
import { UsersService } from './accounts/users.service';

/** Checks credentials for both login flows (session and token). */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * The user when the password matches, else null. Unknown emails cost one dummy verification, so
   * timing does not reveal which emails exist; hashes made with old parameters are upgraded.
   */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.users.findByEmail(email);
    if (!user) return this.hasher.verifyDummy(password).then(() => null);
    if (!(await this.hasher.verify(user.passwordHash, password))) return null;
    if (user.disabledAt) return null; // checked after verifying, so timing matches a wrong password
    if (this.hasher.needsRehash(user.passwordHash)) await this.users.setPassword(user.id, password);
    return user;
  }
}
