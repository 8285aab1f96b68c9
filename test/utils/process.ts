import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Spawned {
  child: ChildProcess;
  /** Standard output and error, interleaved as they came. */
  output(): string;
  /** Standard output alone (spawnNode only). */
  stdout?(): string;
  exited: Promise<number | null>;
}

/** Runs a built entry point (`dist/...`) as a separate process, as `npm start` would. */
export function spawnNode(script: string, args: string[], env: Record<string, string | undefined>, options: { input?: string } = {}): Spawned {
  const cleanEnv = { ...process.env };
  for (const k of Object.keys(cleanEnv)) {
    if (/^(DATABASE_URL|REDIS_|JWT_|SESSION_|TEST_|NODE_ENV|PORT|DATA_DIR|LOG_)/.test(k)) delete cleanEnv[k];
  }
  const child = spawn(process.execPath, [join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...cleanEnv, NO_COLOR: '1', ...env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let out = '';
  let stdout = '';
  child.stdout!.on('data', (d) => ((out += d), (stdout += d)));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, stdout: () => stdout, exited };
}

/**
 * A port for a server a test starts, chosen below Linux's ephemeral range (32768–60999): a port
 * the kernel handed out with bind(0) and that we released can be taken again, before our server
 * binds it, as the local port of any outgoing connection (a test's fetch, a pool's connection) —
 * which CI saw as EADDRINUSE. Random in 20000–32767, checked free.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found in 20000–32767');
}

/**
 * Polls until `url` answers 200 **from this process**: the built server logs
 * `listening on http://localhost:<port>` once bound. (Two test workers can be handed the same free
 * port; the one that loses the race exits with EADDRINUSE, and a 200 from the other must not be
 * taken for it.) Fails after `timeoutMs`, or at once when the process exits.
 */
export async function waitForHttp(url: string, spawned: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const listening = `listening on http://localhost:${new URL(url).port}`;
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null) throw new Error(`process exited early:\n${spawned.output()}`);
    if (spawned.output().includes(listening)) {
      try {
        const res = await fetch(url);
        if (res.ok) return;
      } catch {
        /* not answering yet */
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}:\n${spawned.output()}`);
}

/**
 * Runs a built entry point on a pseudo-terminal (util-linux `script`), typing `lines` one at a
 * time, each once `waitFor` has appeared in the output since the last one — as a person would.
 */
export function spawnNodeInTerminal(script: string, args: string[], env: Record<string, string | undefined>, typing: { waitFor: RegExp; lines: string[] }): Spawned {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, join(ROOT, script), ...args].map(quote).join(' ');
  const cleanEnv = { ...process.env };
  for (const k of Object.keys(cleanEnv)) {
    if (/^(DATABASE_URL|REDIS_|JWT_|SESSION_|TEST_|NODE_ENV|PORT|DATA_DIR|LOG_)/.test(k)) delete cleanEnv[k];
  }
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...cleanEnv, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let seen = 0;
  const lines = [...typing.lines];
  const onOutput = (d: Buffer) => {
    out += d;
    const prompts = out.match(new RegExp(typing.waitFor.source, 'g'))?.length ?? 0;
    while (prompts > seen && lines.length) {
      seen++;
      child.stdin!.write(`${lines.shift()}\r`);
    }
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
