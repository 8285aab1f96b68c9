import { UserEntity } from './user.entity';

/** The public shape of a user (docs/API.md: `user` is the same everywhere). Never a hash or secret. */
export interface UserView {
  id: string;
  email: string;
  displayName: string | null;
  roles: string[];
  createdAt: string;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    createdAt: user.createdAt.toISOString(),
  };
}
