/**
 * `npm run bench`: req/s, p99 and server CPU per request of our auth paths and the stock recipes,
 * each as a ratio to the open route measured by the same server just before and after it; and the
 * request pipeline's CPU ratios from alternating short windows in one server (`pairedCpu`,
 * bench/interleaved.ts). Loopback only; about 20 minutes at the defaults. Writes
 * bench/results.json and prints tables.
 *
 * Needs PostgreSQL (BENCH_DATABASE_URL, default the local server; a throw-away database is made)
 * and, for the Redis cases, Redis (BENCH_REDIS_URL, default the local server; skipped if down).
 */
import autocannon from 'autocannon';
import { ChildProcess, execSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { interleavedCpu, Interleaved, Kind, SETTLE_MS, WINDOW_MS, WINDOWS } from './interleaved';
import { BenchServer, cookieOf, PASSWORD, post, REDIS_URL, redisUp, ROOT, startBenchServer, stopBenchServer, tell, throwAwayDatabase } from './harness';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = 50;

interface Measure {
  rps: number;
  /** Server process CPU (user + system) per request, µs; null where /proc is not available. */
  cpuUs: number | null;
  /**
   * CPU that neither the server nor this runner used during the run (PostgreSQL, Redis, the OS…),
   * in cores busy on average; null where /proc is not available. It tells a round disturbed by
   * other work from one where the server itself changed.
   */
  othersCores: number | null;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}
interface Row extends Measure {
  case: string;
  server: 'postgres' | 'postgres+redis';
  /** The open route's req/s this case is compared with: the mean of the open runs just before and after it. */
  openRps?: number;
  ratio?: number;
  /** The same for server CPU per request: the open runs' mean µs, and this case's µs as a multiple of it. */
  openCpuUs?: number;
  cpuRatio?: number;
  /** Server CPU per request as a multiple of the bare NestJS hello route's (same server, same run). */
  bareRatio?: number;
  note?: string;
}

const rows: Row[] = [];
const BARE = 'bare NestJS hello route (GET /hello, no middleware)';
const round2 = (v: number | undefined) => (v === undefined ? undefined : +v.toFixed(2));
const notes: string[] = [];

/**
 * During the paired CPU windows the server (all its threads) runs on CPU 0 and the load generator
 * (this process) on CPU 1, when the machine has two or more and `taskset` (BENCH_PIN=0 turns it
 * off). On this 2-core VM a route's CPU per request then varied ±3–5% between adjacent 2-s rounds
 * instead of ±10–25% (measured with the earlier round method): the two no longer migrate across and share cores, caches and clocks. The
 * other cases run unpinned, as before (login's argon2 threads need the second core).
 */
const PIN =
  process.env.BENCH_PIN !== '0' &&
  cpus().length >= 2 &&
  (() => {
    try {
      execSync('taskset -p $$', { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

function pinned(on: boolean): void {
  if (!PIN || !serverPid) return;
  const all = `0-${cpus().length - 1}`;
  execSync(`taskset -a -p -c ${on ? '0' : all} ${serverPid}`, { stdio: 'ignore' });
  execSync(`taskset -a -p -c ${on ? '1' : all} ${process.pid}`, { stdio: 'ignore' });
}

async function startServer(env: Record<string, string>): Promise<BenchServer> {
  const server = await startBenchServer(env);
  serverPid = server.child.pid;
  return server;
}

/** The running bench server's pid, for its CPU time. */
let serverPid: number | undefined;
const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) the bench server has used so far, or null off Linux. */
function serverCpuSeconds(): number | null {
  try {
    const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

function cpuPerRequest(before: number | null, requests: number): number | null {
  const after = serverCpuSeconds();
  return before === null || after === null || !requests ? null : Math.round(((after - before) * 1e6) / requests);
}

/** CPU seconds every process on the machine has used (the `cpu` line of /proc/stat), or null. */
function machineCpuSeconds(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

interface CpuMark {
  at: number;
  server: number | null;
  machine: number | null;
  runner: number;
}
const cpuMark = (): CpuMark => {
  const { user, system } = process.cpuUsage();
  return { at: performance.now(), server: serverCpuSeconds(), machine: machineCpuSeconds(), runner: (user + system) / 1e6 };
};
/** Cores busy on average since `from` with work that was neither the server's nor this runner's. */
function othersCores(from: CpuMark): number | null {
  const to = cpuMark();
  if (from.server === null || to.server === null || from.machine === null || to.machine === null) return null;
  const others = to.machine - from.machine - (to.server - from.server) - (to.runner - from.runner);
  return +Math.max(0, others / ((to.at - from.at) / 1000)).toFixed(2);
}



type Opts = Omit<autocannon.Options, 'url' | 'duration' | 'connections'> & { connections?: number };

async function run(base: string, path: string, opts: Opts = {}, duration = DURATION): Promise<Measure> {
  const mark = cpuMark();
  const result = await autocannon({ url: base + path, connections: CONNECTIONS, duration, ...opts });
  return {
    rps: Math.round(result.requests.average),
    cpuUs: cpuPerRequest(mark.server, result.requests.total),
    othersCores: othersCores(mark),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Warm-up (discarded), then the measured run. */
async function measure(base: string, path: string, opts: Opts = {}): Promise<Measure> {
  await run(base, path, opts, WARMUP);
  return run(base, path, opts);
}

/**
 * The request pipeline's CPU ratios: two kinds of request in alternating 400 ms windows on the same
 * connections, a hundred of each (bench/interleaved.ts: why, and how the CPU is read).
 */
const pairs: Interleaved[] = [];
async function pairedCpu(name: string, reference: Kind, subject: Kind): Promise<void> {
  pinned(true);
  let paired: Interleaved;
  try {
    paired = await interleavedCpu(name, serverPid!, reference, subject);
  } finally {
    pinned(false);
  }
  pairs.push(paired);
  console.log(`  ${name.padEnd(44)} ${paired.ratio.toFixed(2)}×  (${spreadOf(paired)}; µs ${paired.subjectUs} vs ${paired.referenceUs})`);
}

/** "quartiles 0.97–1.06, pooled 1.01, 100 windows" */
const spreadOf = (p: Interleaved) => `quartiles ${p.quartiles[0].toFixed(2)}–${p.quartiles[1].toFixed(2)}, pooled ${p.pooled.toFixed(2)}, ${p.windows} windows`;

/**
 * Refresh rotations: autocannon resets per-connection state after every request, so this drives
 * its own keep-alive connections. Each of the `tokens.length` clients walks its own family,
 * presenting every new token exactly once, for `seconds`.
 */
async function rotationLoad(base: string, tokens: string[], seconds: number): Promise<Measure> {
  const agent = new Agent({ keepAlive: true, maxSockets: tokens.length });
  const { hostname, port } = new URL(base);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const mark = cpuMark();
  const send = (token: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ refreshToken: token });
      const req = httpRequest(
        { agent, hostname, port, path: '/auth/token/refresh', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let data = '';
          res.on('data', (d) => (data += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    tokens.map(async (first) => {
      let token = first;
      while (Date.now() < deadline) {
        const start = performance.now();
        try {
          const res = await send(token);
          latencies.push(performance.now() - start);
          if (res.status === 200) token = (JSON.parse(res.body) as { refreshToken: string }).refreshToken;
          else non2xx++;
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
  return { rps: Math.round(latencies.length / seconds), cpuUs: cpuPerRequest(mark.server, latencies.length), othersCores: othersCores(mark), p50: pct(0.5), p99: pct(0.99), requests: latencies.length, non2xx, errors };
}


function record(server: Row['server'], name: string, m: Measure, note?: string): Row {
  const row: Row = { case: name, server, ...m, note };
  rows.push(row);
  const bad = m.non2xx + m.errors;
  console.log(`  ${name.padEnd(44)} ${String(m.rps).padStart(7)} req/s  p99 ${String(m.p99).padStart(4)} ms  ${String(m.cpuUs ?? '-').padStart(5)} µs cpu/req${bad ? `  (${bad} non-2xx/errors)` : ''}`);
  // A case that answered anything but 2xx measured something else (a 404, a 401): the run is void.
  if (bad) throw new Error(`${name}: ${bad} of ${m.requests} answers were not 2xx — the measurement is not of the route`);
  return row;
}

/**
 * Before any measurement, every route of the server runs for WARMUP seconds, so that no case pays
 * for the JIT compiling code that only it reaches (the first case after start-up did, otherwise).
 */
async function warmUp(base: string, routes: Array<[string, Opts?]>): Promise<void> {
  for (const [path, opts] of routes) {
    const m = await run(base, path, opts ?? {}, WARMUP);
    // Fail in seconds, not after minutes, when a route does not answer as the case expects.
    if (m.non2xx + m.errors) throw new Error(`warm-up of ${path}: ${m.non2xx + m.errors} of ${m.requests} answers were not 2xx`);
  }
}

/**
 * Measures a case between two runs of the open route (the one before it is the previous case's
 * "after"): its ratio is to their mean, so drift on a shared machine cancels out case by case.
 */
class Bracketed {
  private lastOpen?: Measure;
  constructor(
    private readonly server: Row['server'],
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    this.lastOpen = await measure(this.base, '/examples/public');
    record(this.server, 'open route (/examples/public)', this.lastOpen);
  }

  async case(name: string, measured: () => Promise<Measure>, note?: () => string): Promise<void> {
    if (!this.lastOpen) await this.open();
    const before = this.lastOpen!;
    const row = record(this.server, name, await measured(), note?.());
    await this.open();
    row.openRps = Math.round((before.rps + this.lastOpen!.rps) / 2);
    if (before.cpuUs && this.lastOpen!.cpuUs) {
      row.openCpuUs = (before.cpuUs + this.lastOpen!.cpuUs) / 2;
      row.cpuRatio = row.cpuUs ? +(row.cpuUs / row.openCpuUs).toFixed(2) : undefined;
    }
  }
}


/**
 * `npm run bench:quick` (about seven minutes): one server, the pipeline's paired measurements —
 * the open route against itself (the method's own error), against the bare NestJS route,
 * `@Auth('jwt')` against the open route, and the open route at `silent` against `info` (request
 * logging's cost) — each from BENCH_WINDOWS (100) alternating windows (`pairedCpu`). For trying a
 * change to the pipeline; the figures that count come from the full bench.
 */
async function quick(DATABASE_URL: string): Promise<void> {
  const { base, bare, child } = await startServer({ DATABASE_URL });
  try {
    const email = `quick-${Date.now()}@example.com`;
    await post(base, '/auth/register', { email, password: PASSWORD });
    const token = (await (await post(base, '/auth/token', { email, password: PASSWORD })).json()) as { accessToken: string };
    const bearer = { authorization: `Bearer ${token.accessToken}` };
    // BENCH_QUICK_VARIANTS=1 adds what splits the JWT route's extra cost: its guard without its parameter,
    // the parameter without the guard (bench/variants.module.ts), the Authorization header's bytes alone,
    // one more `await` in the open route's handler (what any extra asynchronous step costs), and the
    // floor — the JWT route's shape with a guard that only sets a fixed AuthContext.
    const variants = Boolean(process.env.BENCH_QUICK_VARIANTS);
    const cases: Array<[string, Kind]> = [
      ["@Auth('jwt')", { url: `${base}/examples/jwt`, headers: bearer }],
      ...(variants
        ? ([
            ["@Auth('jwt') without @CurrentAuth()", { url: `${base}/variants/jwt-no-param`, headers: bearer }],
            ['open route with @CurrentAuth()', { url: `${base}/variants/public-param` }],
            ['open route, sent the Bearer header', { url: `${base}/examples/public`, headers: bearer }],
            ['open route, one more await in its handler', { url: `${base}/variants/public-async` }],
            ['floor: a guard setting a fixed AuthContext', { url: `${base}/variants/floor`, headers: bearer }],
          ] as Array<[string, Kind]>)
        : []),
    ];
    await warmUp(base, [['/examples/public'], ...cases.map(([, k]): [string, Opts] => [new URL(k.url).pathname, { headers: k.headers }])]);
    await warmUp(bare, [['/hello']]);
    await pipelinePairs(base, bare, child, cases);
    // What is ours in the JWT route, directly: the route against its floor (same guards, parameter, header, log line).
    if (variants) await pairedCpu("@Auth('jwt') ÷ the floor", { url: `${base}/variants/floor`, headers: bearer }, { url: `${base}/examples/jwt`, headers: bearer });
  } finally {
    await stopBenchServer(child);
  }
}

/**
 * The request pipeline's CPU measurements on one server: the open route against itself (what the
 * method reads when nothing differs: its own error, in this run), against the bare NestJS route,
 * each given case against the open route, and request logging (the open route at `silent` against
 * `info`, switched in the running server).
 */
async function pipelinePairs(base: string, bare: string, child: ChildProcess, cases: Array<[string, Kind]>): Promise<void> {
  const open: Kind = { url: `${base}/examples/public` };
  await pairedCpu(OPEN_VS_OPEN, open, { ...open });
  await pairedCpu(OPEN_VS_BARE, { url: `${bare}/hello` }, open);
  for (const [name, subject] of cases) await pairedCpu(name, open, subject);
  await pairedCpu(
    SILENT_VS_INFO,
    { url: open.url, before: () => tell(child, { logLevel: 'info' }) },
    { url: open.url, before: () => tell(child, { logLevel: 'silent' }) },
  );
  await tell(child, { logLevel: 'info' });
}
const OPEN_VS_OPEN = 'open route ÷ open route (the error)';
const OPEN_VS_BARE = 'open route ÷ bare NestJS';
const SILENT_VS_INFO = 'open route, logs silent ÷ info';

async function main(): Promise<void> {
  const { url: DATABASE_URL, drop } = await throwAwayDatabase('nda_bench');
  if (process.argv.includes('--quick')) {
    try {
      return await quick(DATABASE_URL);
    } finally {
      await drop();
    }
  }
  console.log(`nest-dual-auth benchmark — ${DURATION}s per case after ${WARMUP}s warm-up, ${CONNECTIONS} connections, autocannon on loopback`);

  try {
    // ---------- server 1: PostgreSQL (sessions in the database) ----------
    console.log('\nserver 1: PostgreSQL, sessions in the database');
    let { base, bare, child } = await startServer({ DATABASE_URL });
    const email = `bench-${Date.now()}@example.com`;
    await post(base, '/auth/register', { email, password: PASSWORD });
    const sessionCookie = cookieOf(await post(base, '/auth/session/login', { email, password: PASSWORD }));
    const token = (await (await post(base, '/auth/token', { email, password: PASSWORD })).json()) as { accessToken: string };
    const bearer = { authorization: `Bearer ${token.accessToken}` };
    const stockPgCookie = cookieOf(await post(base, '/stock/session-pg/login', {}));
    const apiKey = { 'x-api-key': ((await (await post(base, '/auth/api-keys', { name: 'bench', scopes: ['examples:read'] }, bearer)).json()) as { key: string }).key };

    await warmUp(base, [
      ['/examples/public'],
      ['/examples/jwt', { headers: bearer }],
      ['/examples/jwt-strict', { headers: bearer }],
      ['/examples/api-key', { headers: apiKey }],
      ['/examples/session', { headers: { cookie: sessionCookie } }],
      ['/stock/jwt', { headers: bearer }],
      ['/stock/session-pg', { headers: { cookie: stockPgCookie } }],
    ]);
    await run(bare, '/hello', {}, WARMUP);
    record('postgres', BARE, await measure(bare, '/hello'));
    const pg = new Bracketed('postgres', base);
    await pg.case("@Auth('jwt')", () => measure(base, '/examples/jwt', { headers: bearer }));
    await pg.case("@Auth('jwt', { strict: true })", () => measure(base, '/examples/jwt-strict', { headers: bearer }));
    await pg.case("@Auth('apiKey') + @Scopes", () => measure(base, '/examples/api-key', { headers: apiKey }));
    await pg.case("@Auth('session') — PostgreSQL store", () => measure(base, '/examples/session', { headers: { cookie: sessionCookie } }));
    await pg.case('stock: passport-jwt, string secretOrKey', () => measure(base, '/stock/jwt', { headers: bearer }));
    await pg.case('stock: express-session + connect-pg-simple', () => measure(base, '/stock/session-pg', { headers: { cookie: stockPgCookie } }));

    // The request pipeline's CPU targets: paired rounds in this same server.
    console.log('  — server CPU per request, alternating windows of the reference and the case —');
    await pipelinePairs(base, bare, child, [
      ["@Auth('jwt')", { url: `${base}/examples/jwt`, headers: bearer }],
      ["@Auth('jwt', { strict: true })", { url: `${base}/examples/jwt-strict`, headers: bearer }],
      ["@Auth('apiKey') + @Scopes", { url: `${base}/examples/api-key`, headers: apiKey }],
      ["@Auth('session') — PostgreSQL store", { url: `${base}/examples/session`, headers: { cookie: sessionCookie } }],
    ]);

    // Refresh rotations: every connection walks its own family, presenting each new token once.
    const families: string[] = [];
    for (let i = 0; i < CONNECTIONS * 2; i++) {
      families.push(((await (await post(base, '/auth/token', { email, password: PASSWORD })).json()) as { refreshToken: string }).refreshToken);
    }
    let forkNote = '';
    await pg.case(
      'refresh rotations (POST /auth/token/refresh)',
      async () => {
        await rotationLoad(base, families.slice(CONNECTIONS), WARMUP);
        const refresh = await rotationLoad(base, families.slice(0, CONNECTIONS), DURATION);
        const check = new Client({ connectionString: DATABASE_URL });
        await check.connect();
        const forks = (await check.query(`SELECT count(*)::int AS n FROM (SELECT parent_hash FROM auth_refresh_tokens WHERE parent_hash IS NOT NULL GROUP BY parent_hash HAVING count(*) > 1) f`)).rows[0].n as number;
        const branching = (await check.query(`SELECT count(*)::int AS n FROM (SELECT family_id FROM auth_refresh_tokens GROUP BY family_id HAVING count(*) FILTER (WHERE spent_at IS NULL) > 1) f`)).rows[0].n as number;
        const revoked = (await check.query(`SELECT count(*)::int AS n FROM auth_refresh_families WHERE revoked_at IS NOT NULL`)).rows[0].n as number;
        await check.end();
        forkNote = `forked tokens: ${forks}, families with >1 live token: ${branching}, revoked families: ${revoked}`;
        return refresh;
      },
      () => forkNote,
    );
    console.log(`    ${forkNote}`);

    await pg.case('login (POST /auth/token, argon2id)', () =>
      measure(base, '/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
    );

    // Login flood: open-route p99 while 32 clients send wrong passwords, each for a different
    // email (credential stuffing: per-account back-off never triggers, the per-IP limit is raised
    // for the benchmark), so every attempt costs an argon2id verification — the worst case.
    const idle = await run(base, '/examples/public', {}, DURATION);
    record('postgres', 'open route, idle (just before the flood)', idle);
    const flood = autocannon({
      url: `${base}/auth/token`,
      connections: 32,
      duration: DURATION + 4,
      requests: [
        {
          method: 'POST',
          path: '/auth/token',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `stuffing-${Math.random()}@example.com`, password: 'wrong password guess' }) }),
        },
      ],
    });
    await sleep(2000);
    const during = await run(base, '/examples/public', {}, DURATION);
    const floodResult = await flood;
    record('postgres', 'open route during a 32-client login flood', during, `flood: ${Math.round(floodResult.requests.average)} wrong logins/s`);
    record('postgres', 'open route (end of server 1, drift check)', await run(base, '/examples/public'));
    record('postgres', BARE, await measure(bare, '/hello'));
    await stopBenchServer(child);

    // ---------- server 2: PostgreSQL + Redis (sessions in Redis) ----------
    if (await redisUp()) {
      console.log('\nserver 2: PostgreSQL + Redis, sessions in Redis');
      ({ base, bare, child } = await startServer({ DATABASE_URL, REDIS_URL }));
      const redisCookie = cookieOf(await post(base, '/auth/session/login', { email, password: PASSWORD }));
      const stockRedisCookie = cookieOf(await post(base, '/stock/session-redis/login', {}));
      await warmUp(base, [
        ['/examples/public'],
        ['/examples/session', { headers: { cookie: redisCookie } }],
        ['/stock/session-redis', { headers: { cookie: stockRedisCookie } }],
      ]);
      await run(bare, '/hello', {}, WARMUP);
      record('postgres+redis', BARE, await measure(bare, '/hello'));
      const redis = new Bracketed('postgres+redis', base);
      await redis.case("@Auth('session') — Redis store", () => measure(base, '/examples/session', { headers: { cookie: redisCookie } }));
      await redis.case('stock: express-session + connect-redis', () => measure(base, '/stock/session-redis', { headers: { cookie: stockRedisCookie } }));
      record('postgres+redis', BARE, await measure(bare, '/hello'));
      console.log('  — server CPU per request, alternating windows —');
      await pairedCpu("@Auth('session') — Redis store", { url: `${base}/examples/public` }, { url: `${base}/examples/session`, headers: { cookie: redisCookie } });
      await stopBenchServer(child);
    } else {
      notes.push(`Redis not reachable at ${REDIS_URL}: the Redis cases were skipped.`);
    }
  } finally {
    await drop();
  }

  // Ratios: each case to the open runs just before and after it; the open runs and the flood
  // cases to the mean of all of that server's open runs (so the table shows the drift too).
  // And every row's CPU per request to the bare NestJS route's on the same server.
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
  for (const server of ['postgres', 'postgres+redis'] as const) {
    const open = mean(rows.filter((r) => r.server === server && r.case.startsWith('open route (')).map((r) => r.rps));
    const bareCpu = mean(rows.filter((r) => r.server === server && r.case === BARE && r.cpuUs).map((r) => r.cpuUs!));
    for (const r of rows.filter((x) => x.server === server)) {
      const base = r.openRps ?? open;
      if (base && r.case !== BARE) r.ratio = +(r.rps / base).toFixed(2);
      if (bareCpu && r.cpuUs) r.bareRatio = +(r.cpuUs / bareCpu).toFixed(2);
    }
  }
  const pairOf = (name: string) => {
    const p = pairs.find((x) => x.name === name);
    return p ? round2(p.ratio) : undefined;
  };
  const error = pairs.find((p) => p.name === OPEN_VS_OPEN);
  if (error) notes.push(`the open route against itself read ${error.ratio.toFixed(3)} (${spreadOf(error)}): the CPU ratios' own error in this run`);
  const silentVsInfo = pairOf(SILENT_VS_INFO);
  const get = (name: string) => rows.find((r) => r.case === name);
  // Ours against a stock recipe: the quotient of their ratios to the open route, so the drift
  // between the two measurements cancels too.
  const ratio = (a?: Row, b?: Row) =>
    a?.openRps && b?.openRps ? +(a.rps / a.openRps / (b.rps / b.openRps)).toFixed(2) : undefined;
  const idleOpen = get('open route, idle (just before the flood)');
  const floodOpen = get('open route during a 32-client login flood');
  const targets = [
    { target: "@Auth('jwt') ≥ 0.90 × open", value: get("@Auth('jwt')")?.ratio, ok: (v: number) => v >= 0.9 },
    { target: 'strict ≥ 0.70 × open', value: get("@Auth('jwt', { strict: true })")?.ratio, ok: (v: number) => v >= 0.7 },
    { target: 'API key ≥ 0.70 × open', value: get("@Auth('apiKey') + @Scopes")?.ratio, ok: (v: number) => v >= 0.7 },
    { target: 'session on Redis ≥ 0.75 × open', value: get("@Auth('session') — Redis store")?.ratio, ok: (v: number) => v >= 0.75 },
    { target: 'session on PostgreSQL ≥ 0.60 × open', value: get("@Auth('session') — PostgreSQL store")?.ratio, ok: (v: number) => v >= 0.6 },
    { target: 'jwt ≥ 1.5 × stock passport-jwt', value: ratio(get("@Auth('jwt')"), get('stock: passport-jwt, string secretOrKey')), ok: (v: number) => v >= 1.5 },
    { target: 'session (PG) ≥ 1.5 × stock connect-pg-simple', value: ratio(get("@Auth('session') — PostgreSQL store"), get('stock: express-session + connect-pg-simple')), ok: (v: number) => v >= 1.5 },
    { target: 'session (Redis) ≥ 1.5 × stock connect-redis', value: ratio(get("@Auth('session') — Redis store"), get('stock: express-session + connect-redis')), ok: (v: number) => v >= 1.5 },
    { target: 'refresh rotations ≥ 1000/s on PostgreSQL', value: get('refresh rotations (POST /auth/token/refresh)')?.rps, ok: (v: number) => v >= 1000 },
    { target: 'open p99 during login flood ≤ 3 × idle p99', value: idleOpen && floodOpen ? +(floodOpen.p99 / Math.max(1, idleOpen.p99)).toFixed(2) : undefined, ok: (v: number) => v <= 3 },
    // The request pipeline: server CPU per request, from the paired rounds (same server, same run).
    { target: 'CPU: open route ≤ 1.35 × bare NestJS', value: pairOf(OPEN_VS_BARE), ok: (v: number) => v <= 1.35 },
    { target: "CPU: @Auth('jwt') ≤ 1.08 × open", value: pairOf("@Auth('jwt')"), ok: (v: number) => v <= 1.08 },
    { target: 'CPU: strict ≤ 1.25 × open', value: pairOf("@Auth('jwt', { strict: true })"), ok: (v: number) => v <= 1.25 },
    { target: 'CPU: API key ≤ 1.25 × open', value: pairOf("@Auth('apiKey') + @Scopes"), ok: (v: number) => v <= 1.25 },
    { target: 'CPU: session on Redis ≤ 1.20 × open', value: pairOf("@Auth('session') — Redis store"), ok: (v: number) => v <= 1.2 },
    { target: 'CPU: session on PostgreSQL ≤ 1.35 × open', value: pairOf("@Auth('session') — PostgreSQL store"), ok: (v: number) => v <= 1.35 },
    {
      // The open route at `silent` against `info`, switched in one running server.
      target: 'request logging ≤ 8% of the open route',
      value: silentVsInfo === undefined ? undefined : round2(1 - silentVsInfo),
      ok: (v: number) => v <= 0.08,
    },
  ].map((t) => ({ target: t.target, value: t.value ?? null, met: t.value === undefined ? null : t.ok(t.value) }));

  console.log('\n| server | case | req/s | p99 ms | req/s ratio to open | server CPU µs/req | CPU ratio to open | CPU ratio to bare Nest |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.server} | ${r.case} | ${r.rps} | ${r.p99} | ${r.ratio ?? ''} | ${r.cpuUs ?? ''} | ${r.cpuRatio ?? ''} | ${r.bareRatio ?? ''} |`);
  console.log('\n| paired measurement (server CPU per request) | median ratio | windows |');
  console.log('|---|---:|---|');
  for (const p of pairs) console.log(`| ${p.name} | ${p.ratio.toFixed(2)} | ${spreadOf(p)} |`);
  console.log('\n| target | measured | met |');
  console.log('|---|---:|---|');
  for (const t of targets) console.log(`| ${t.target} | ${t.value ?? 'n/a'} | ${t.met === null ? 'n/a' : t.met ? 'yes' : 'NO'} |`);
  for (const n of notes) console.log(`note: ${n}`);

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    method: { tool: 'autocannon', connections: CONNECTIONS, durationSeconds: DURATION, warmupSeconds: WARMUP, pinned: PIN, pairs: { tool: 'bench/interleaved.ts', windows: WINDOWS, windowMs: WINDOW_MS, settleMs: SETTLE_MS } },
    rows,
    pairs,
    targets,
    notes,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('\nwrote bench/results.json');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
