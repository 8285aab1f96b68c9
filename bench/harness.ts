/** What the benchmark scripts share: the server's environment, a throw-away database, small HTTP helpers. */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

export const ROOT = join(__dirname, '..', '..');
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PASSWORD = 'bench passphrase 4 the win';

/** The bench server's environment (dist/bench/server.js): production settings, loopback HTTP. */
export function serverEnv(port: number, barePort: number, env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    COOKIE_SECURE: 'false', // plain HTTP on loopback
    JWT_SECRET: 'bench-jwt-secret-0123456789-0123456789-0123456789',
    SESSION_SECRET: 'bench-session-secret-0123456789-0123456789-01234',
    LOGIN_RATE_LIMIT_PER_IP: '1000000', // one client IP generates all the load
    LOGIN_MAX_FAILURES: '1000',
    LOG_LEVEL: 'info', // as in production; stdout goes to /dev/null
    JWT_ACCESS_TTL: '1h', // one access token serves a whole run (the default 15 minutes is shorter than bench:quick's variants)
    // Production requires a mail server; the bench's few registrations mail nobody (refused at once).
    SMTP_URL: 'smtp://127.0.0.1:1',
    EXAMPLES_ENABLED: 'true', // the measured routes are the examples (off by default in production)
    PORT: String(port),
    BENCH_BARE_PORT: String(barePort),
    ...env,
  };
}

/** A new, empty database on BENCH_DATABASE_URL's server, and how to drop it. */
export async function throwAwayDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  const name = `${prefix}_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface BenchServer {
  /** The app (dist/bench/server.js). */
  base: string;
  /** The bare NestJS app in the same process. */
  bare: string;
  child: ChildProcess;
}

/** Starts dist/bench/server.js and waits until it listens (`npm run bench:instructions` starts its own, under valgrind). */
export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const port = await freePort();
  const barePort = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/bench/server.js')], {
    cwd: ROOT,
    env: serverEnv(port, barePort, env),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`bench server exited:\n${err}`);
    if (err.includes('BENCH_SERVER_READY')) return { base: `http://127.0.0.1:${port}`, bare: `http://127.0.0.1:${barePort}`, child };
    await sleep(100);
  }
  throw new Error(`bench server did not start:\n${err}`);
}

export async function stopBenchServer(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}
export const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0];

export async function redisUp(): Promise<boolean> {
  const { createClient } = await import('redis');
  const c = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.ping();
    await c.close();
    return true;
  } catch {
    return false;
  }
}

/** A message to the bench server (a log level, a full GC, the CPU profiler), once it has been acted on. */
export async function tell(child: ChildProcess, message: { logLevel?: string; gc?: boolean; profile?: 'start' | 'stop'; file?: string }): Promise<void> {
  const applied = new Promise<{ logLevel: string }>((resolve) => child.once('message', resolve));
  child.send(message);
  const answer = await applied;
  if (message.logLevel && answer.logLevel !== message.logLevel) throw new Error(`the server did not switch to log level ${message.logLevel}`);
}
