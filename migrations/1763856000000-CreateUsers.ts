import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1763856000000 implements MigrationInterface {
  name = 'CreateUsers1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" text NOT NULL,
        "password_hash" text NOT NULL,
        "display_name" text,
        "roles" text array NOT NULL DEFAULT '{user}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_users" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_users_email_normalised" CHECK ("email" = lower(btrim("email")))
      )`);
    // Emails are stored normalised, so a plain unique index is case-insensitive uniqueness.
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users" ("email")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
