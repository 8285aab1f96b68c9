import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The module's tables get an `auth_` prefix (and their constraints and indexes with them), so
 * they cannot collide with a host app's own `users` or `sessions` table.
 */
export class PrefixAuthTables1795900100000 implements MigrationInterface {
  name = 'PrefixAuthTables1795900100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of renames(true)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of renames(false)) await queryRunner.query(sql);
  }
}

/** Every rename, from the names the tables had to the prefixed ones (`forward`), or back. */
function renames(forward: boolean): string[] {
  const t = (name: string) => (forward ? [name, `auth_${name}`] : [`auth_${name}`, name]);
  const [users, usersNew] = t('users');
  const [sessions, sessionsNew] = t('sessions');
  const [families, familiesNew] = t('refresh_families');
  const [tokens, tokensNew] = t('refresh_tokens');
  return [
    `ALTER TABLE "${users}" RENAME TO "${usersNew}"`,
    `ALTER TABLE "${usersNew}" RENAME CONSTRAINT "PK_${users}" TO "PK_${usersNew}"`,
    `ALTER TABLE "${usersNew}" RENAME CONSTRAINT "CHK_${users}_email_normalised" TO "CHK_${usersNew}_email_normalised"`,
    `ALTER INDEX "UQ_${users}_email" RENAME TO "UQ_${usersNew}_email"`,

    `ALTER TABLE "${sessions}" RENAME TO "${sessionsNew}"`,
    `ALTER TABLE "${sessionsNew}" RENAME CONSTRAINT "PK_${sessions}" TO "PK_${sessionsNew}"`,
    `ALTER TABLE "${sessionsNew}" RENAME CONSTRAINT "FK_${sessions}_user" TO "FK_${sessionsNew}_user"`,
    `ALTER INDEX "UQ_${sessions}_public_id" RENAME TO "UQ_${sessionsNew}_public_id"`,
    `ALTER INDEX "IDX_${sessions}_user_id" RENAME TO "IDX_${sessionsNew}_user_id"`,
    `ALTER INDEX "IDX_${sessions}_absolute_expires_at" RENAME TO "IDX_${sessionsNew}_absolute_expires_at"`,

    `ALTER TABLE "${families}" RENAME TO "${familiesNew}"`,
    `ALTER TABLE "${familiesNew}" RENAME CONSTRAINT "PK_${families}" TO "PK_${familiesNew}"`,
    `ALTER TABLE "${familiesNew}" RENAME CONSTRAINT "FK_${families}_user" TO "FK_${familiesNew}_user"`,
    `ALTER INDEX "IDX_${families}_user_id" RENAME TO "IDX_${familiesNew}_user_id"`,
    `ALTER INDEX "IDX_${families}_absolute_expires_at" RENAME TO "IDX_${familiesNew}_absolute_expires_at"`,

    `ALTER TABLE "${tokens}" RENAME TO "${tokensNew}"`,
    `ALTER TABLE "${tokensNew}" RENAME CONSTRAINT "PK_${tokens}" TO "PK_${tokensNew}"`,
    `ALTER TABLE "${tokensNew}" RENAME CONSTRAINT "FK_${tokens}_family" TO "FK_${tokensNew}_family"`,
    `ALTER INDEX "IDX_${tokens}_family_id" RENAME TO "IDX_${tokensNew}_family_id"`,
    `ALTER INDEX "UQ_${tokens}_parent_hash" RENAME TO "UQ_${tokensNew}_parent_hash"`,
  ];
}
