/**
 * `npm run bench:instructions`: instructions per request of the benchmark routes, counted with the
 * server under valgrind's callgrind (every thread of the process: JIT-compiled code, the garbage
 * collector, libuv, OpenSSL). For each route: a full GC, counters zeroed, a fixed number of
 * requests, counters dumped; instructions ÷ requests. Each route is shown against the open route
 * of the same server, and variants split the JWT route's cost between our guard, Nest's parameter
 * pipeline, and what any guard-based authentication costs (bench/variants.module.ts).
 *
 * What it is for: comparing two versions of the code on this VM, whose speed changes in steps
 * (the same route 165 µs, then 340 µs per request) — a count does not move with the machine's
 * speed or with what else runs. What it is not: the CPU targets of BENCHMARKS.md. It counts user
 * space only (a loopback request's kernel work — a large share of its CPU time — is not in it),
 * a cache miss is one instruction, and the server answers ~130 requests/s under callgrind instead
 * of thousands, so per-request fixed costs weigh differently. Its ratios are larger than the CPU
 * ratios for every route that talks to PostgreSQL or Redis (BENCHMARKS.md, 2026-12-05).
 *
 * Needs valgrind (Debian package `valgrind`), PostgreSQL, and Redis for the Redis session case
 * (skipped when down). About 25 minutes at the defaults. Writes bench/results-instructions.json
 * after each server (`complete: false` until the last).
 */
import autocannon from 'autocannon';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cookieOf, freePort, PASSWORD, post, REDIS_URL, redisUp, ROOT, serverEnv, tell, throwAwayDatabase } from './harness';

/** Requests per route before counting (the JIT settles), and per counted round. */
const WARMUP = Number(process.env.BENCH_IR_WARMUP ?? 3000);
const REQUESTS = Number(process.env.BENCH_IR_REQUESTS ?? 2000);
/** Counted rounds per route; one more round before them is run and discarded. */
const ROUNDS = Number(process.env.BENCH_IR_ROUNDS ?? 3);
const CONNECTIONS = 10;

interface Server {
  base: string;
  bare: string;
  child: ChildProcess;
  dumps: string;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const [port, barePort] = [await freePort(), await freePort()];
  const dumps = mkdtempSync(join(tmpdir(), 'nda-callgrind-'));
  const valgrind = ['--tool=callgrind', `--callgrind-out-file=${join(dumps, 'callgrind.out')}`];
  const child = spawn('valgrind', [...valgrind, process.execPath, '--expose-gc', join(ROOT, 'dist/bench/server.js')], {
    cwd: ROOT,
    // Under callgrind a run takes many minutes: the access token must outlive it. Redis's connect
    // deadline (REDIS_COMMAND_TIMEOUT, 1 s by default) is too short for a server starting under
    // valgrind: on 2026-12-07 server 2 died at startup with ConnectionTimeoutError, 35 minutes in
    // (and again later that day, from the stock connect-redis client's own 5 s deadline, since
    // raised in bench/stock-recipes.module.ts). PostgreSQL's (DB_QUERY_TIMEOUT, 3 s, which also
    // bounds a connection's setup) likewise: server 1 died at startup on it in a slow stretch.
    env: serverEnv(port, barePort, { JWT_ACCESS_TTL: '2h', REDIS_COMMAND_TIMEOUT: '30s', DB_QUERY_TIMEOUT: '30s', ...env }),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  for (let i = 0; i < 3000 && !err.includes('BENCH_SERVER_READY'); i++) {
    if (child.exitCode !== null) throw new Error(`bench server exited:\n${err}`);
    await sleep(100);
  }
  if (!err.includes('BENCH_SERVER_READY')) throw new Error(`bench server did not start:\n${err}`);
  return { base: `http://127.0.0.1:${port}`, bare: `http://127.0.0.1:${barePort}`, child, dumps };
}

async function stopServer(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
  rmSync(s.dumps, { recursive: true, force: true });
}

async function load(url: string, headers: Record<string, string>, amount: number): Promise<void> {
  const r = await autocannon({ url, connections: CONNECTIONS, amount, headers });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) throw new Error(`${url}: ${bad} of ${r.requests.total} answers were not 2xx — the count would not be of the route`);
}

const callgrind = (s: Server, command: '--zero' | '--dump') => execFileSync('callgrind_control', [command, String(s.child.pid)], { stdio: 'ignore' });

/** The instructions of the latest dump (its `totals:` line). */
function lastDumpTotal(s: Server): number {
  const files = readdirSync(s.dumps).filter((f) => /^callgrind\.out\.\d+$/.test(f));
  const last = files.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).pop();
  const total = last && /^(?:totals|summary):\s+(\d+)/m.exec(readFileSync(join(s.dumps, last), 'utf8'));
  if (!total) throw new Error('no callgrind dump to read');
  return Number(total[1]);
}

interface Route {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Run before the route's warm-up and each of its rounds (the log level, say). */
  before?: () => Promise<void>;
}

/** Instructions per request of each route: the median over ROUNDS counted rounds. */
async function count(s: Server, routes: Route[]): Promise<Map<string, number[]>> {
  for (const r of routes) {
    await r.before?.();
    await load(r.url, r.headers ?? {}, WARMUP);
  }
  const perRoute = new Map<string, number[]>(routes.map((r) => [r.name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const r of routes) {
      await r.before?.();
      // Every round starts from a fully collected heap: without it, one route's rounds differed by
      // up to 25% (a major collection falls in some rounds and not in others).
      await tell(s.child, { gc: true });
      callgrind(s, '--zero');
      await load(r.url, r.headers ?? {}, REQUESTS);
      callgrind(s, '--dump');
      const perRequest = Math.round(lastDumpTotal(s) / REQUESTS);
      if (round > 0) perRoute.get(r.name)!.push(perRequest); // round 0 settles; discarded
    }
    console.log(`  round ${round}${round ? '' : ' (discarded)'} done`);
  }
  return perRoute;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('bench:instructions needs valgrind (apt-get install valgrind)');
  }
  const { url: DATABASE_URL, drop } = await throwAwayDatabase('nda_bench_ir');
  const counted = new Map<string, number[]>();
  const keep = (m: Map<string, number[]>) => m.forEach((v, k) => counted.set(k, v));
  console.log(`nest-dual-auth instruction counts — callgrind, ${WARMUP} warm-up requests per route, then ${ROUNDS} rounds of ${REQUESTS}, ${CONNECTIONS} connections`);
  try {
    console.log('server 1: PostgreSQL, sessions in the database');
    let s = await startServer({ DATABASE_URL });
    try {
      const email = `ir-${Date.now()}@example.com`;
      await post(s.base, '/auth/register', { email, password: PASSWORD });
      const sessionCookie = cookieOf(await post(s.base, '/auth/session/login', { email, password: PASSWORD }));
      const token = (await (await post(s.base, '/auth/token', { email, password: PASSWORD })).json()) as { accessToken: string };
      const bearer = { authorization: `Bearer ${token.accessToken}` };
      const apiKey = ((await (await post(s.base, '/auth/api-keys', { name: 'bench', scopes: ['examples:read'] }, bearer)).json()) as { key: string }).key;
      const info = () => tell(s.child, { logLevel: 'info' });
      const routes: Route[] = [
        { name: BARE, url: `${s.bare}/hello` },
        { name: OPEN, url: `${s.base}/examples/public`, before: info },
        { name: JWT, url: `${s.base}/examples/jwt`, headers: bearer },
        { name: JWT_NO_PARAM, url: `${s.base}/variants/jwt-no-param`, headers: bearer },
        { name: OPEN_PARAM, url: `${s.base}/variants/public-param` },
        { name: STRICT, url: `${s.base}/examples/jwt-strict`, headers: bearer },
        { name: API_KEY, url: `${s.base}/examples/api-key`, headers: { 'x-api-key': apiKey } },
        { name: SESSION_PG, url: `${s.base}/examples/session`, headers: { cookie: sessionCookie } },
        { name: SILENT, url: `${s.base}/examples/public`, before: () => tell(s.child, { logLevel: 'silent' }) },
        { name: FLOOR, url: `${s.base}/variants/floor`, headers: bearer },
      ];
      keep(await count(s, JWT_SPLIT ? routes.filter((r) => JWT_SPLIT_ROUTES.includes(r.name)) : routes));
      await info();
    } finally {
      await stopServer(s);
    }
    write(counted, false); // what server 1 counted survives a failure later
    if (JWT_SPLIT) {
      console.log('--jwt-split: server 2 (the Redis session route) skipped');
    } else if (await redisUp()) {
      console.log('server 2: PostgreSQL + Redis, sessions in Redis');
      s = await startServer({ DATABASE_URL, REDIS_URL });
      try {
        const email = `ir-redis-${Date.now()}@example.com`;
        await post(s.base, '/auth/register', { email, password: PASSWORD });
        const cookie = cookieOf(await post(s.base, '/auth/session/login', { email, password: PASSWORD }));
        keep(
          await count(s, [
            { name: OPEN_REDIS, url: `${s.base}/examples/public` },
            { name: SESSION_REDIS, url: `${s.base}/examples/session`, headers: { cookie } },
          ]),
        );
      } finally {
        await stopServer(s);
      }
    } else {
      console.log(`Redis at ${REDIS_URL} is down: the Redis session case is skipped`);
    }
  } finally {
    await drop();
  }

  printTable(write(counted, true));
  console.log('\nwrote bench/results-instructions.json');
}

interface RouteResult {
  route: string;
  instructionsPerRequest: number;
  rounds: number[];
  comparedWith: string | null;
  ratio: number | null;
}

/**
 * Writes bench/results-instructions.json from what has been counted so far — after each server,
 * so a failure an hour in keeps the earlier servers' counts (`complete: false` until the end).
 */
function write(counted: Map<string, number[]>, complete: boolean): RouteResult[] {
  const ir = (name: string) => median(counted.get(name) ?? [NaN]);
  /** Each route against the one it is compared with (the open route of the same server; the open route against bare Nest). */
  const against = (name: string) => (name === OPEN ? BARE : name === OPEN_REDIS || name === BARE ? undefined : name === SESSION_REDIS ? OPEN_REDIS : OPEN);
  const ratios = [...counted.keys()].map((name) => {
    const base = against(name);
    return { route: name, instructionsPerRequest: ir(name), rounds: counted.get(name)!, comparedWith: base ?? null, ratio: base ? +(ir(name) / ir(base)).toFixed(3) : null };
  });
  const results = {
    date: new Date().toISOString(),
    complete,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, valgrind: execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim() },
    method: { tool: 'valgrind --tool=callgrind (all threads)', fullGcBeforeEachRound: true, warmupRequests: WARMUP, requestsPerRound: REQUESTS, rounds: ROUNDS, discardedRounds: 1, connections: CONNECTIONS },
    ratios,
  };
  writeFileSync(join(ROOT, 'bench', 'results-instructions.json'), JSON.stringify(results, null, 2) + '\n');
  return ratios;
}

function printTable(ratios: RouteResult[]): void {
  console.log('\n| route | instructions per request (median) | counted rounds | ratio | to |');
  console.log('|---|---:|---|---:|---|');
  const n = (v: number) => v.toLocaleString('en');
  for (const r of ratios) console.log(`| ${r.route} | ${n(r.instructionsPerRequest)} | ${r.rounds.map(n).join(', ')} | ${r.ratio ?? ''} | ${r.comparedWith ?? ''} |`);
}

const BARE = 'bare NestJS hello route';
const OPEN = 'open route';
const JWT = "@Auth('jwt')";
const STRICT = "@Auth('jwt', { strict: true })";
const API_KEY = "@Auth('apiKey') + @Scopes";
const SESSION_PG = "@Auth('session'), PostgreSQL store";
const SILENT = 'open route, logs silent';
const JWT_NO_PARAM = "@Auth('jwt') without @CurrentAuth() (/variants/jwt-no-param)";
const OPEN_PARAM = 'open route with @CurrentAuth() (/variants/public-param)';
const FLOOR = 'floor: the JWT route with a guard setting a fixed AuthContext (/variants/floor)';
const OPEN_REDIS = 'open route (server 2)';
const SESSION_REDIS = "@Auth('session'), Redis store";
/**
 * `npm run bench:instructions -- --jwt-split` (about 15 minutes): server 1's open and JWT routes and
 * the variants that split the JWT route's extra, nothing else.
 */
const JWT_SPLIT = process.argv.includes('--jwt-split');
const JWT_SPLIT_ROUTES = [OPEN, JWT, FLOOR, JWT_NO_PARAM, OPEN_PARAM];

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
