import type { AuthUser } from '../auth.types';
import { UserEntity } from './user.entity';

/** The public shape of a user (docs/API.md: `user` is the same everywhere). Never a hash or secret. */
export interface UserView {
  id: string;
  email: string;
  displayName: string | null;
  roles: string[];
  /** Whether the user proved the address is theirs (a verification link, or a password reset). */
  emailVerified: boolean;
  createdAt: string;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** What sessions and access tokens carry of a user: no more than routes need without a database read. */
export function authUserOf(user: AuthUser): AuthUser {
  return { id: user.id, email: user.email, displayName: user.displayName, roles: user.roles };
}
