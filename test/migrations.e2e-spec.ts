import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../migrations';
import { dataSourceOptions } from '../src/app/database/data-source.options';
import { runMigrationsLocked } from '../src/auth/persistence/migrate';

/** Boots `n` DataSources at once on `url` and migrates each, as n instances starting together would. */
async function bootTogether(url: string, n: number): Promise<void> {
  const sources = await Promise.all(Array.from({ length: n }, () => new DataSource(dataSourceOptions(url)).initialize()));
  try {
    await Promise.all(sources.map((ds) => runMigrationsLocked(ds)));
  } finally {
    await Promise.all(sources.map((ds) => ds.destroy()));
  }
}

describe('migrations on boot', () => {
  const url = process.env.TEST_DATABASE_URL!;

  it('lets several instances start at once: each migration is applied exactly once', async () => {
    let target = url;
    let cleanup = async () => {};
    if (process.env.TEST_DATABASE_KIND === 'postgres') {
      // A fresh, empty database, so the instances really race to create the tables.
      const name = `nda_migrate_${Date.now()}`;
      const admin = new Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      target = u.toString();
      cleanup = async () => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      };
    }
    // (The embedded PGlite is one database, already migrated by the run's first app; there the
    // instances meet in the same transaction-ordering path and must all be no-ops.)
    try {
      await bootTogether(target, 4);
      const c = new Client({ connectionString: target });
      await c.connect();
      const { rows } = await c.query<{ name: string; n: number }>('SELECT name, count(*)::int AS n FROM migrations GROUP BY name ORDER BY name');
      await c.end();
      expect(rows).toEqual(migrations.map((m) => ({ name: m.name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)));
    } finally {
      await cleanup();
    }
  });
});

describe('migrations and entities', () => {
  it('describe the same schema: TypeORM finds nothing to change after every migration ran', async () => {
    const ds = await new DataSource(dataSourceOptions(process.env.TEST_DATABASE_URL!)).initialize();
    try {
      await runMigrationsLocked(ds);
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
