import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUserDisabledAt1763856300000 implements MigrationInterface {
  name = 'AddUserDisabledAt1763856300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "disabled_at" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "disabled_at"`);
  }
}
