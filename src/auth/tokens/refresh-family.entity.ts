import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../accounts/user.entity';

/** One JWT sign-in: the refresh tokens it has rotated through share it. Its id is the `sid` claim. */
@Entity({ name: 'auth_refresh_families' })
@Index('IDX_auth_refresh_families_user_id', ['userId'])
@Index('IDX_auth_refresh_families_absolute_expires_at', ['absoluteExpiresAt'])
export class RefreshFamilyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_auth_refresh_families_user' })
  user?: UserEntity;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt: Date;

  /** `rememberMe`: persistent cookies (cookie transport); otherwise they end with the browser session. */
  @Column({ type: 'boolean', default: true })
  persistent: boolean;

  /** The sign-in's last authentication (login, or `POST reauthenticate`): what `fresh` routes check. */
  @Column({ name: 'authenticated_at', type: 'timestamptz', default: () => 'now()' })
  authenticatedAt: Date;

  /** Rotation never extends a family past this. */
  @Column({ name: 'absolute_expires_at', type: 'timestamptz' })
  absoluteExpiresAt: Date;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Why: `logout`, `reuse`, `revoked`, `password_change`, … */
  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason: string | null;
}
