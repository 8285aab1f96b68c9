#!/usr/bin/env node
// Proves the package works as a host app uses it: packs this project (`npm pack`), installs the
// tarball into a fresh copy of the consumer fixture (test/consumer/app) with the fixture's own
// `npm install`, builds the fixture with its own TypeScript, and runs its e2e spec against
// - the embedded PostgreSQL (a PGlite server started here), and
// - PostgreSQL, when POSTGRES_URL (a server URL; a throw-away database is made on it) is set.
// Usage: npm run test:consumer   (POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres for both)
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const require = createRequire(join(ROOT, 'package.json'));

function run(cmd, args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}
function capture(cmd, args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}
const step = (s) => console.log(`\n--- consumer: ${s}`);

const work = mkdtempSync(join(tmpdir(), 'nda-consumer-'));
step(`npm pack → ${work}`);
const packed = JSON.parse(await capture('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT }));
const tarball = join(work, packed[0].filename);
const shipped = packed[0].files.map((f) => f.path);
for (const required of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/resource-server/index.js', 'dist/src/resource-server/index.d.ts', 'dist/src/auth/passwords/common-passwords.txt', 'dist/migrations/index.js']) {
  if (!shipped.includes(required)) throw new Error(`the tarball lacks ${required}`);
}
const leaked = shipped.filter((f) => /^(src|test|bench)\/|^dist\/src\/app\/|\.spec\.|\.map$/.test(f));
if (leaked.length) throw new Error(`the tarball ships files a host does not need: ${leaked.slice(0, 5).join(', ')}`);
console.log(`${packed[0].filename}: ${shipped.length} files, ${(packed[0].size / 1024).toFixed(0)} kB`);

step('copy the fixture, add the tarball, npm install');
const app = join(work, 'app');
cpSync(join(ROOT, 'test', 'consumer', 'app'), app, { recursive: true, filter: (p) => !/node_modules|[/\\]dist/.test(p) });
const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
pkg.dependencies['nest-dual-auth'] = `file:${tarball}`;
writeFileSync(join(app, 'package.json'), JSON.stringify(pkg, null, 2));
await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app });

step('build the fixture with its own TypeScript');
await run('npm', ['run', 'build', '--silent'], { cwd: app });

const test = (databaseUrl) => run('npm', ['test', '--silent'], { cwd: app, env: { ...process.env, DATABASE_URL: databaseUrl } });

step('e2e on the embedded PostgreSQL (PGlite)');
const { PGlite } = await import(require.resolve('@electric-sql/pglite'));
const { PgliteServer } = require(join(ROOT, 'dist', 'src', 'app', 'embedded-db', 'pglite-server.js'));
const db = await PGlite.create();
const server = new PgliteServer(db);
try {
  await test(await server.listen());
} finally {
  await server.close();
  await db.close();
}

if (process.env.POSTGRES_URL) {
  step('e2e on PostgreSQL (a throw-away database)');
  const { Client } = require('pg');
  const name = `nda_consumer_${Date.now()}`;
  const admin = new Client({ connectionString: process.env.POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(process.env.POSTGRES_URL);
  url.pathname = `/${name}`;
  try {
    await test(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
} else {
  console.log('(POSTGRES_URL not set: PostgreSQL run skipped)');
}
step('passed');
