import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys: a third strategy. Stored as SHA-256 of the key with its visible prefix; they die with their user. */
export class ApiKeys1795900400000 implements MigrationInterface {
  name = 'ApiKeys1795900400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "auth_api_keys" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "name" text NOT NULL,
        "scopes" text[] NOT NULL DEFAULT '{}',
        "prefix" text NOT NULL,
        "hash" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz,
        "expires_at" timestamptz,
        CONSTRAINT "PK_auth_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "FK_auth_api_keys_user" FOREIGN KEY ("user_id") REFERENCES "auth_users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_auth_api_keys_hash" ON "auth_api_keys" ("hash")`);
    await queryRunner.query(`CREATE INDEX "IDX_auth_api_keys_user_id" ON "auth_api_keys" ("user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_api_keys"`);
  }
}
