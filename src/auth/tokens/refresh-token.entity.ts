import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RefreshFamilyEntity } from './refresh-family.entity';

/** A refresh token, stored only as SHA-256 of its value. Spent once rotated. */
@Entity({ name: 'auth_refresh_tokens' })
@Index('IDX_auth_refresh_tokens_family_id', ['familyId'])
@Index('UQ_auth_refresh_tokens_parent_hash', ['parentHash'], { unique: true })
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'text' })
  hash: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId: string;

  @ManyToOne(() => RefreshFamilyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_id', foreignKeyConstraintName: 'FK_auth_refresh_tokens_family' })
  family?: RefreshFamilyEntity;

  /** The token this one succeeded; unique, so a token can never have two successors. */
  @Column({ name: 'parent_hash', type: 'text', nullable: true })
  parentHash: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'spent_at', type: 'timestamptz', nullable: true })
  spentAt: Date | null;

  /**
   * When the answer to the rotation that spent this token (its successor) was handed to the
   * client. Null while it never was — then a retry with this token gets the same successor
   * again, however late (see RefreshTokensRepository.rotate).
   */
  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;
}
