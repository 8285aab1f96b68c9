import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgliteServer } from '../../src/app/embedded-db/pglite-server';

/**
 * Jest global setup: one database for the whole run, its URL in TEST_DATABASE_URL.
 * - DATABASE_URL unset: an in-memory PGlite served over a loopback socket (PGlite cannot start
 *   inside a test file's VM, see STACK-NOTES), so `npm test` needs no installed service.
 * - DATABASE_URL set: a throw-away database on that server, dropped in global teardown.
 */
export default async function globalSetup(): Promise<void> {
  const state = globalThis as { __TEST_DB__?: { stop(): Promise<void> } };
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `nda_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    process.env.TEST_DATABASE_URL = url.toString();
    process.env.TEST_DATABASE_KIND = 'postgres';
    state.__TEST_DB__ = {
      stop: async () => {
        const c = new Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
    return;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  const server = new PgliteServer(db);
  process.env.TEST_DATABASE_URL = await server.listen();
  process.env.TEST_DATABASE_KIND = 'pglite';
  state.__TEST_DB__ = {
    stop: async () => {
      await server.close();
      await db.close();
    },
  };
}
