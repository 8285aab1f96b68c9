import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a rotation's answer reached the client: the refresh grace window is measured from it, so a
 * client whose answer was lost in an outage keeps its sign-in. Existing spent tokens count as
 * answered at the moment they were spent (the rule they were issued under).
 */
export class AddRefreshTokenAnsweredAt1795900000000 implements MigrationInterface {
  name = 'AddRefreshTokenAnsweredAt1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "answered_at" timestamptz`);
    await queryRunner.query(`UPDATE "refresh_tokens" SET "answered_at" = "spent_at" WHERE "spent_at" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "answered_at"`);
  }
}
