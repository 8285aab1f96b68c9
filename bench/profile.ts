/**
 * `npm run bench:profile [-- route ...]` (about half a minute per route): V8 CPU profiles of the
 * bench server under load (autocannon, 50 connections), one route at a time, to see where a
 * route's CPU goes. A route is a path, with `#bearer` to send a signed-in user's
 * `Authorization: Bearer` header. Default: `/examples/public /examples/jwt#bearer`, the pair of the
 * JWT target.
 *
 * Each route first gets 8 s of load (the JIT settles); then the routes take turns, BENCH_PROFILE_ROUNDS
 * (4) rounds of BENCH_PROFILE_SECONDS (5) of load each, the profiler on for each — in turns because
 * this VM changes speed in steps (2× for tens of seconds), and a route profiled all in one stretch
 * can land in a slow one. Writes each route's last round to bench/profiles/<route>.cpuprofile
 * (Chrome DevTools' Performance panel opens it) and prints, over all its rounds, the main thread's
 * sampled CPU per request and the time per request in each part of the request path — inclusive:
 * a function and everything it runs, also when an async function resumes. Not in it: libuv's
 * threads and the kernel's work for the server outside the main thread, which `npm run bench`'s
 * figures include. Sampled every 50 µs, so a part under ~0.5% of a route is at the edge of what it
 * can tell; the speed steps do not move in step with the turns either: compare shares of a route
 * (the percentages) over microseconds, and two runs before trusting a difference of a few tenths.
 */
import autocannon from 'autocannon';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, post, ROOT, startBenchServer, stopBenchServer, tell, throwAwayDatabase } from './harness';

const WARMUP_SECONDS = 8;
const ROUNDS = Number(process.env.BENCH_PROFILE_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 5);
const CONNECTIONS = 50;

/** The parts of the request path reported, as [label, function name, file the function is in]. */
const PARTS: Array<[string, string, string]> = [
  ['auth guard: AuthenticationGuard.canActivate', 'canActivate', 'auth/guards/authentication.guard.js'],
  ['  strategy chain: AuthenticationService.authenticate', 'authenticate', 'auth/authentication.service.js'],
  ['    JwtStrategy.authenticate', 'authenticate', 'auth/strategies/jwt.strategy.js'],
  ['      verified-token cache', 'rememberedAccessToken', 'auth/tokens/token.service.js'],
  ['floor guard: FixedAuthGuard.canActivate (/variants/floor)', 'canActivate', 'bench/variants.module.js'],
  ["Nest: the route's guards (canActivateFn)", 'canActivateFn', '@nestjs/core/router/router-execution-context.js'],
  ["Nest: a parameter's pipes (applyPipes)", 'applyPipes', '@nestjs/core/router/router-execution-context.js'],
  ['request log line (written on close)', 'writeRequestLine', 'app/logging/logging.module.js'],
  ['log batches to sonic-boom', 'writeBatch', 'app/logging/logging.module.js'],
  ["Express: res.json (serialise, headers, socket write)", 'json', 'express/lib/response.js'],
  ['  socket writes (writev)', 'writev', ''],
  ['garbage collector', '(garbage collector)', ''],
];

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** What the profiles of one route add up to: µs over all its rounds, and the requests answered. */
interface Totals {
  requests: number;
  /** Sampled main-thread CPU (idle excluded). */
  busyUs: number;
  /** Per part of PARTS. */
  partsUs: number[];
  /** Self time per function. */
  selfUs: Map<string, number>;
}

const emptyTotals = (): Totals => ({ requests: 0, busyUs: 0, partsUs: PARTS.map(() => 0), selfUs: new Map() });

/** Adds one profile of `requests` requests to `into`: inclusive time per part (a sample counts once per part however deep it recurses), self time per function. */
export function addProfile(into: Totals, profile: CpuProfile, requests: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sampled = new Map<number, number>();
  profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  into.requests += requests;
  for (const [id, us] of sampled) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    into.busyUs += us;
    const where = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\/src\//, '');
    const key = `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
    into.selfUs.set(key, (into.selfUs.get(key) ?? 0) + us);
    const hit = new Set<number>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = byId.get(node)!.callFrame;
      PARTS.forEach(([, name, file], i) => {
        if (frame.functionName === name && frame.url.endsWith(file)) hit.add(i);
      });
    }
    for (const i of hit) into.partsUs[i] += us;
  }
}

async function main(): Promise<void> {
  const routes = process.argv.slice(2).filter((a) => a.startsWith('/'));
  if (!routes.length) routes.push('/examples/public', '/examples/jwt#bearer');
  const { url: DATABASE_URL, drop } = await throwAwayDatabase('nda_profile');
  const { base, child } = await startBenchServer({ DATABASE_URL });
  const dir = join(ROOT, 'bench', 'profiles');
  mkdirSync(dir, { recursive: true });
  const routeTotals = new Map(routes.map((r) => [r, emptyTotals()]));
  try {
    const email = `profile-${Date.now()}@example.com`;
    await post(base, '/auth/register', { email, password: PASSWORD });
    const { accessToken } = (await (await post(base, '/auth/token', { email, password: PASSWORD })).json()) as { accessToken: string };
    const load = async (route: string, seconds: number) => {
      const [path, credential] = route.split('#');
      const headers: Record<string, string> = credential === 'bearer' ? { authorization: `Bearer ${accessToken}` } : {};
      const r = await autocannon({ url: base + path, connections: CONNECTIONS, duration: seconds, headers });
      if (r.non2xx + r.errors + r.timeouts) throw new Error(`${route}: ${r.non2xx + r.errors + r.timeouts} answers were not 2xx`);
      return r.requests.total;
    };
    for (const route of routes) await load(route, WARMUP_SECONDS);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const route of routes) {
        const file = join(dir, `${route.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_/, '')}.cpuprofile`);
        await tell(child, { profile: 'start' });
        const requests = await load(route, SECONDS);
        await tell(child, { profile: 'stop', file });
        addProfile(routeTotals.get(route)!, JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, requests);
        console.log(`round ${round}, ${route}: ${requests} requests in ${SECONDS} s → ${file}`);
      }
    }
  } finally {
    await stopBenchServer(child);
    await drop();
  }
  print([...routeTotals]);
}

function print(routes: Array<[string, Totals]>): void {
  const cell = (us: number, t: Totals) => `${(us / t.requests).toFixed(2)} µs ${((100 * us) / t.busyUs).toFixed(1).padStart(4)}%`;
  console.log(`\n${'µs per request (share of the route)'.padEnd(56)}${routes.map(([r]) => r.padStart(26)).join('')}`);
  console.log(`${'main thread, sampled'.padEnd(56)}${routes.map(([, t]) => `${(t.busyUs / t.requests).toFixed(1)} µs`.padStart(26)).join('')}`);
  PARTS.forEach(([label], i) => console.log(`${label.padEnd(56)}${routes.map(([, t]) => cell(t.partsUs[i], t).padStart(26)).join('')}`));
  for (const [route, t] of routes) {
    console.log(`\n${route}: most self time`);
    for (const [fn, us] of [...t.selfUs].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${cell(us, t).padStart(18)}  ${fn}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
