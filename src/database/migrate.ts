import { DataSource } from 'typeorm';

// Any fixed 64-bit number, unique to this app's migrations.
const MIGRATION_LOCK_KEY = '7243019836118551101';

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so several instances (or test
 * workers) booting at once never race to create the same table.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
