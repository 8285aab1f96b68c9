import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'auth_users' })
@Index('UQ_auth_users_email', ['email'], { unique: true })
@Check('CHK_auth_users_email_normalised', `"email" = lower(btrim("email"))`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Trimmed and lower-cased before it is stored; unique. */
  @Column({ type: 'text' })
  email: string;

  /** argon2id PHC string. Never leaves the server. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName: string | null;

  @Column({ type: 'text', array: true, default: () => "'{user}'" })
  roles: string[];

  /** Set when an operator disables the account: every sign-in is refused from then on. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** When the user proved the address is theirs (a verification link, a password reset); null until then. */
  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
