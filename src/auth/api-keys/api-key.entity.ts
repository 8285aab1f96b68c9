import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../accounts/user.entity';

/** A long-lived credential of a user for scripts and services, narrowed by scopes. */
@Entity({ name: 'auth_api_keys' })
@Index('UQ_auth_api_keys_hash', ['hash'], { unique: true })
@Index('IDX_auth_api_keys_user_id', ['userId'])
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_auth_api_keys_user' })
  user?: UserEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  /** The key's first 12 characters (`nda_` + 8): shown in lists to tell keys apart. */
  @Column({ type: 'text' })
  prefix: string;

  /** SHA-256 (hex) of the whole key. The key itself is shown once, at creation. */
  @Column({ type: 'text' })
  hash: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** Written at most once a minute per key. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;
}
