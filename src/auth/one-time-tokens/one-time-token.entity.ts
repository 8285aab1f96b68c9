import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../accounts/user.entity';

/** What a one-time token is for; a token of one purpose is refused for every other. */
export const OneTimeTokenPurpose = {
  VerifyEmail: 'verify_email',
  ResetPassword: 'reset_password',
  ChangeEmail: 'change_email',
} as const;
export type OneTimeTokenPurpose = (typeof OneTimeTokenPurpose)[keyof typeof OneTimeTokenPurpose];

/**
 * A token mailed in a link: stored only as SHA-256 of the token, bound to one user, one purpose
 * and one address (the address to verify, or the new address of an email change), single use and
 * expiring.
 */
@Entity({ name: 'auth_one_time_tokens' })
@Index('IDX_auth_one_time_tokens_user_purpose', ['userId', 'purpose'])
@Index('IDX_auth_one_time_tokens_expires_at', ['expiresAt'])
@Check('CHK_auth_one_time_tokens_purpose', `"purpose" IN ('verify_email', 'reset_password', 'change_email')`)
export class OneTimeTokenEntity {
  /** SHA-256 (hex) of the token. The token itself is only ever in the mail. */
  @PrimaryColumn({ type: 'text' })
  hash: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_auth_one_time_tokens_user' })
  user?: UserEntity;

  @Column({ type: 'text' })
  purpose: OneTimeTokenPurpose;

  /** The address the token speaks for: verifying it, or changing to it. */
  @Column({ type: 'text' })
  email: string;

  /** The sign-in that asked for it (an email change keeps that one sign-in). */
  @Column({ name: 'sign_in_id', type: 'uuid', nullable: true })
  signInId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
