// Quick pipeline check (not the bench): one bench server, bare NestJS vs the open route vs @Auth('jwt'),
// server CPU µs/request from /proc, alternating runs. `node bench/quick.mjs [seconds] [rounds]` after `npm run build:bench`.
import autocannon from 'autocannon';
import { spawn, execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const TICKS = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' })) || 100;
const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); }); });
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
const db = `nda_quick_${Date.now()}`;
await admin.query(`CREATE DATABASE "${db}"`);
const [port, barePort] = [await freePort(), await freePort()];
const child = spawn(process.execPath, ['dist/bench/server.js'], {
  env: { PATH: process.env.PATH, NODE_ENV: 'production', COOKIE_SECURE: 'false', JWT_SECRET: 'bench-jwt-secret-0123456789-0123456789-0123456789', SESSION_SECRET: 'bench-session-secret-0123456789-0123456789-01234', LOGIN_RATE_LIMIT_PER_IP: '1000000', SMTP_URL: 'smtp://127.0.0.1:1', EXAMPLES_ENABLED: 'true', LOG_LEVEL: process.env.QUICK_LOG_LEVEL ?? 'info', PORT: String(port), BENCH_BARE_PORT: String(barePort), DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}` },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let err = '';
child.stderr.on('data', (d) => (err += d));
while (!err.includes('BENCH_SERVER_READY')) { if (child.exitCode !== null) throw new Error(err); await new Promise((r) => setTimeout(r, 100)); }
const cpu = () => { const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / TICKS; };
const base = `http://127.0.0.1:${port}`;
const post = (p, b, h = {}) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify(b) });
await post('/auth/register', { email: 'q@example.com', password: 'bench passphrase 4 the win' });
const { accessToken } = await (await post('/auth/token', { email: 'q@example.com', password: 'bench passphrase 4 the win' })).json();
const cases = [['bare', `http://127.0.0.1:${barePort}/hello`, {}], ['open', `${base}/examples/public`, {}], ['jwt', `${base}/examples/jwt`, { authorization: `Bearer ${accessToken}` }]];
const results = Object.fromEntries(cases.map(([n]) => [n, []]));
for (const [, url, headers] of cases) await autocannon({ url, headers, connections: 50, duration: 2 });
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, url, headers] of cases) {
    const before = cpu();
    const res = await autocannon({ url, headers, connections: 50, duration: SECONDS });
    if (res.non2xx) throw new Error(`${name}: ${res.non2xx} non-2xx`);
    results[name].push({ us: ((cpu() - before) * 1e6) / res.requests.total, rps: res.requests.average });
  }
}
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await admin.query(`DROP DATABASE "${db}" WITH (FORCE)`);
await admin.end();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const bare = mean(results.bare.map((x) => x.us));
const open = mean(results.open.map((x) => x.us));
for (const [name] of cases) {
  const us = mean(results[name].map((x) => x.us));
  console.log(`${name.padEnd(5)} ${us.toFixed(0).padStart(5)} µs/req  ${(us / bare).toFixed(2)}× bare  ${(us / open).toFixed(2)}× open  ${mean(results[name].map((x) => x.rps)).toFixed(0)} req/s  runs: ${results[name].map((x) => x.us.toFixed(0)).join(' ')}`);
}
