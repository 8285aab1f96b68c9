import { Injectable } from '@nestjs/common';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';
import { SignInsService } from '../sign-ins/sign-ins.service';

/** Disabling an account: refuse new sign-ins (login, refresh, strict routes) and end every existing one. */
@Injectable()
export class AccountStatusService {
  constructor(
    private readonly users: UsersService,
    private readonly signIns: SignInsService,
  ) {}

  async disable(user: UserEntity): Promise<void> {
    await this.users.setDisabled(user.id, true);
    await this.signIns.revokeAll(user.id, 'disabled');
  }

  async enable(user: UserEntity): Promise<void> {
    await this.users.setDisabled(user.id, false);
  }
}
