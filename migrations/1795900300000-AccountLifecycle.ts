import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account lifecycle: verified emails, the last authentication of a token sign-in (freshness),
 * and one table of one-time tokens for every mailed link (verify email, reset password, confirm an
 * email change). Users that exist before this migration count as verified (they were created
 * before verification existed); token sign-ins count as authenticated when they began.
 */
export class AccountLifecycle1795900300000 implements MigrationInterface {
  name = 'AccountLifecycle1795900300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_users" ADD "email_verified_at" timestamptz`);
    await queryRunner.query(`UPDATE "auth_users" SET "email_verified_at" = "created_at"`);
    await queryRunner.query(`ALTER TABLE "auth_refresh_families" ADD "authenticated_at" timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`UPDATE "auth_refresh_families" SET "authenticated_at" = "created_at"`);
    await queryRunner.query(`
      CREATE TABLE "auth_one_time_tokens" (
        "hash" text NOT NULL,
        "user_id" uuid NOT NULL,
        "purpose" text NOT NULL,
        "email" text NOT NULL,
        "sign_in_id" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "PK_auth_one_time_tokens" PRIMARY KEY ("hash"),
        CONSTRAINT "CHK_auth_one_time_tokens_purpose" CHECK ("purpose" IN ('verify_email', 'reset_password', 'change_email')),
        CONSTRAINT "FK_auth_one_time_tokens_user" FOREIGN KEY ("user_id") REFERENCES "auth_users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_auth_one_time_tokens_user_purpose" ON "auth_one_time_tokens" ("user_id", "purpose")`);
    await queryRunner.query(`CREATE INDEX "IDX_auth_one_time_tokens_expires_at" ON "auth_one_time_tokens" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_one_time_tokens"`);
    await queryRunner.query(`ALTER TABLE "auth_refresh_families" DROP COLUMN "authenticated_at"`);
    await queryRunner.query(`ALTER TABLE "auth_users" DROP COLUMN "email_verified_at"`);
  }
}
