import { MigrationInterface, QueryRunner } from 'typeorm';

/** Whether a token sign-in asked to be remembered: its cookies are persistent, or end with the browser session. */
export class AddRefreshFamilyPersistent1795900200000 implements MigrationInterface {
  name = 'AddRefreshFamilyPersistent1795900200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_refresh_families" ADD "persistent" boolean NOT NULL DEFAULT true`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_refresh_families" DROP COLUMN "persistent"`);
  }
}
