import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefreshTokens1763856200000 implements MigrationInterface {
  name = 'CreateRefreshTokens1763856200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "refresh_families" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz NOT NULL DEFAULT now(),
        "absolute_expires_at" timestamptz NOT NULL,
        "user_agent" text,
        "ip" text,
        "revoked_at" timestamptz,
        "revoked_reason" text,
        CONSTRAINT "PK_refresh_families" PRIMARY KEY ("id"),
        CONSTRAINT "FK_refresh_families_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_refresh_families_user_id" ON "refresh_families" ("user_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_refresh_families_absolute_expires_at" ON "refresh_families" ("absolute_expires_at")`);
    await queryRunner.query(`
      CREATE TABLE "refresh_tokens" (
        "hash" text NOT NULL,
        "family_id" uuid NOT NULL,
        "parent_hash" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "spent_at" timestamptz,
        CONSTRAINT "PK_refresh_tokens" PRIMARY KEY ("hash"),
        CONSTRAINT "FK_refresh_tokens_family" FOREIGN KEY ("family_id") REFERENCES "refresh_families"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_refresh_tokens_family_id" ON "refresh_tokens" ("family_id")`);
    // At most one successor per token, guaranteed by the database.
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_refresh_tokens_parent_hash" ON "refresh_tokens" ("parent_hash")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "refresh_families"`);
  }
}
