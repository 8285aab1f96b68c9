import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrations } from '../../migrations';
import { freePort, spawnNode, Spawned, waitForHttp } from '../utils/process';
import { TEST_SECRETS } from '../utils/test-app';

/**
 * PgBouncer in transaction pooling (.ci/scale-out-servers.sh) in front of the machine's PostgreSQL:
 * two instances booting at once on an empty database race their migrations through it. Session-level
 * state would break here — a session advisory lock taken on one server connection and released on
 * another, a `SET` that leaks to other clients — so the migration lock is transaction-scoped and
 * the whole run is one transaction. (The e2e suites run through PgBouncer too, in .ci/run.)
 */
const bouncer = process.env.TEST_PGBOUNCER_URL;
if (!bouncer) throw new Error('TEST_PGBOUNCER_URL is not set: run through .ci/run (it starts PgBouncer)');

const MAIN = 'dist/src/app/main.js';

async function admin<T>(run: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: bouncer });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

describe('PgBouncer, transaction pooling', () => {
  const name = `nda_bouncer_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = new URL(bouncer!);
  url.pathname = `/${name}`;
  const instances: Spawned[] = [];

  beforeAll(() => admin((c) => c.query(`CREATE DATABASE "${name}"`)));
  afterAll(async () => {
    for (const p of instances) p.child.kill('SIGTERM');
    await Promise.all(instances.map((p) => p.exited));
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });

  it('two instances booting at once on an empty database: both serve, every migration applied once', async () => {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      instances.push(
        spawnNode(MAIN, [], {
          NODE_ENV: 'test',
          PORT: String(port),
          DATABASE_URL: url.toString(),
          DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-bouncer-')),
          ...TEST_SECRETS,
          LOG_LEVEL: 'info', // waitForHttp reads the "listening on" line
        }),
      );
    }
    await Promise.all(ports.map((port, i) => waitForHttp(`http://127.0.0.1:${port}/health`, instances[i])));

    const applied = new Client({ connectionString: url.toString() });
    await applied.connect();
    try {
      const { rows } = await applied.query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM migrations GROUP BY name');
      expect(rows.map((r) => r.name).sort()).toEqual(migrations.map((m) => m.name).sort());
      expect(rows.every((r) => r.n === '1')).toBe(true);
    } finally {
      await applied.end();
    }

    // Both serve sign-ins, and a session made by one is honoured by the other (same database).
    const email = `bouncer-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`);
    const post = (base: string, path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(a, '/auth/register', { email, password })).status).toBe(201);
    const login = await post(b, '/auth/session/login', { email, password });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0].split(';')[0];
    expect((await fetch(`${a}/auth/me`, { headers: { cookie } })).status).toBe(200);
    const tokens = (await (await post(a, '/auth/token', { email, password })).json()) as { refreshToken: string };
    expect((await post(b, '/auth/token/refresh', { refreshToken: tokens.refreshToken })).status).toBe(200);
  });
});
