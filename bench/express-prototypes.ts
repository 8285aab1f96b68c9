/**
 * `npm run bench:express-prototypes` (about a minute, nothing else needed): what Express 5's
 * per-request `Object.setPrototypeOf(req, app.request)` / `(res, app.response)` costs on this Node,
 * with nothing of ours in the way. One plain Express 5 hello route (`res.send('hello')`), served
 * two ways by a child process:
 *   - stock: `http.createServer(app)` — Node creates plain IncomingMessage/ServerResponse objects
 *     and Express re-prototypes both on every request;
 *   - fast:  `http.createServer(serverClasses(app), app)`: subclasses of IncomingMessage and
 *     ServerResponse whose prototypes become `app.request` / `app.response` (what FastExpressAdapter
 *     does) — Express's `setPrototypeOf` then finds the prototype already in place.
 * Rounds alternate stock, fast, stock, fast … (5 s each after one 3 s warm-up per server), each
 * server in its own process; autocannon (50 connections) runs here. Reports the median req/s and
 * server CPU µs per request (/proc/<pid>/stat) of each, and their ratio.
 */
import { ChildProcess, execSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import { serverClasses } from '../src/auth/http/fast-express-adapter';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const SECONDS = Number(process.env.SECONDS ?? 5);
const CLOCK_TICKS = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' })) || 100;

function serve(variant: 'stock' | 'fast'): void {
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => {
    res.send('hello');
  });
  const server =
    variant === 'stock'
      ? http.createServer(app)
      : http.createServer(serverClasses(app), app);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function start(variant: 'stock' | 'fast'): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(__filename, ['serve', variant], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const url = `http://127.0.0.1:${port}/`;
  await autocannon({ url, connections: 50, duration: 3 }); // warm-up
  return { child, url };
}

async function round(server: { child: ChildProcess; url: string }): Promise<{ reqPerSec: number; cpuMicros: number }> {
  const before = cpuSeconds(server.child.pid!);
  const result = await autocannon({ url: server.url, connections: 50, duration: SECONDS });
  const requests = result.requests.total;
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return { reqPerSec: Math.round(requests / SECONDS), cpuMicros: ((cpuSeconds(server.child.pid!) - before) * 1e6) / requests };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const servers = { stock: await start('stock'), fast: await start('fast') };
  const seen: Record<'stock' | 'fast', { reqPerSec: number; cpuMicros: number }[]> = { stock: [], fast: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const variant of ['stock', 'fast'] as const) seen[variant].push(await round(servers[variant]));
  }
  for (const s of Object.values(servers)) s.child.kill();
  const summary = Object.fromEntries(
    (['stock', 'fast'] as const).map((v) => [v, { reqPerSec: median(seen[v].map((r) => r.reqPerSec)), cpuMicrosPerRequest: Math.round(median(seen[v].map((r) => r.cpuMicros))) }]),
  ) as Record<'stock' | 'fast', { reqPerSec: number; cpuMicrosPerRequest: number }>;
  console.log(`Express 5 hello route, Node ${process.version}, ${ROUNDS} alternating rounds of ${SECONDS} s, 50 connections (medians)`);
  for (const v of ['stock', 'fast'] as const) {
    console.log(`  ${v.padEnd(5)} ${String(summary[v].reqPerSec).padStart(7)} req/s  ${String(summary[v].cpuMicrosPerRequest).padStart(4)} µs server CPU/request   rounds: ${seen[v].map((r) => r.reqPerSec).join(', ')}`);
  }
  console.log(`  fast ÷ stock: ${(summary.fast.reqPerSec / summary.stock.reqPerSec).toFixed(2)}× req/s, ${(summary.fast.cpuMicrosPerRequest / summary.stock.cpuMicrosPerRequest).toFixed(2)}× CPU per request`);
}

if (process.argv[2] === 'serve') serve(process.argv[3] as 'stock' | 'fast');
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
