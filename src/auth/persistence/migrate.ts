import { DataSource, MigrationExecutor } from 'typeorm';

// Any fixed 64-bit number, unique to this app's migrations.
const MIGRATION_LOCK_KEY = '7243019836118551101';

/**
 * Applies pending migrations so that several instances (or test workers) booting at once never
 * race to create the same table. Everything — taking the lock, reading which migrations ran,
 * running the rest — happens in one transaction on one connection:
 * - on PostgreSQL, the transaction-scoped advisory lock makes the others wait, and they read the
 *   migrations table only once they hold it;
 * - on the embedded PGlite (one backend shared by every connection, where an advisory lock does
 *   not exclude anyone) the open transaction itself does: PgliteServer gives the backend to the
 *   connection holding a transaction until it commits.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  const connection = (await runner.connect()) as { deadlineMs?: number };
  // A migration may rewrite a large table: no client-side deadline and no statement timeout.
  if (connection.deadlineMs !== undefined) connection.deadlineMs = 0;
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL statement_timeout = 0');
    await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'all';
    await executor.executePendingMigrations();
    await runner.commitTransaction();
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw err;
  } finally {
    await runner.release();
  }
}
