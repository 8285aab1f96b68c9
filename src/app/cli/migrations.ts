import 'reflect-metadata';
import { DataSource, MigrationExecutor } from 'typeorm';
import { runMigrationsLocked } from '../../index';
import { loadDotEnv } from '../config/env-file';
import { ConfigError, loadConfig } from '../config/load-config';
import { dataSourceOptions } from '../database/data-source.options';
import { openDatabase } from '../embedded-db/embedded-postgres';

const USAGE = 'usage: npm run migration:run | migration:revert | migration:show';

/**
 * `npm run migration:run | migration:revert | migration:show`: the module's migrations, with the
 * same environment as the server (through a running server's socket on the embedded database).
 * Ours rather than the TypeORM CLI's: that one logs every query with its parameters.
 * Prints one line per migration, by name.
 */
async function main(command: string | undefined): Promise<number> {
  if (!command || !['run', 'revert', 'show'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  loadDotEnv();
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shareRunning: true });
  const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
  try {
    const executor = new MigrationExecutor(dataSource);
    if (command === 'show') {
      const executed = new Set((await executor.getExecutedMigrations()).map((m) => m.name));
      for (const m of dataSource.migrations) console.log(`${executed.has(m.name!) ? '[x]' : '[ ]'} ${m.name}`);
      return 0;
    }
    if (command === 'run') {
      const pending = (await executor.getPendingMigrations()).map((m) => m.name);
      await runMigrationsLocked(dataSource);
      console.log(pending.length ? pending.map((name) => `applied ${name}`).join('\n') : 'nothing to apply');
      return 0;
    }
    const executed = await executor.getExecutedMigrations();
    if (!executed.length) {
      console.log('nothing to revert');
      return 0;
    }
    await dataSource.undoLastMigration({ transaction: 'all' });
    console.log(`reverted ${executed[0].name}`);
    return 0;
  } finally {
    await dataSource.destroy();
    await db.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
