/**
 * Server CPU per request of two request kinds, A (the reference) and B (the subject), from many
 * short alternating windows on the same open connections: A, B, A, B, … BENCH_WINDOW_MS (400) each,
 * each B window against the mean of the A windows either side of it.
 *
 * Why not autocannon runs of a few seconds in turns (what `pairedCpu` in run.ts did until
 * 2026-12-08): on this VM a route's CPU per request moves by 10–40% from one few-second round to the
 * next, in steps that last seconds to tens of seconds, and on 2026-12-07 two full runs kept only
 * 1–8 of 24 rounds per pair as steady and disagreed by up to 0.3 on the same pair. Here a switch
 * costs nothing (the same 50 keep-alive connections, no new autocannon run, no connection setup), so
 * windows can be short enough that the two around a B window usually fall in the same step, and
 * there are a hundred or more of them per pair: the median of the windows' ratios moves little when
 * a few windows straddle a step.
 *
 * The server's CPU is read from `/proc/<pid>/task/<tid>/schedstat` (nanoseconds on a CPU, every
 * thread: JavaScript, the garbage collector's helpers, libuv's pool; user and kernel time), not
 * `/proc/<pid>/stat` (10 ms ticks: ±2.5% in a 400 ms window). After each switch the load runs
 * BENCH_SETTLE_MS (100) before the window opens, so the requests of the previous kind still in
 * flight (p99 under 20 ms here) are answered outside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 400);
export const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 100);
/** A and B windows per pair (each). */
export const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 100);

/** One kind of request: where it goes and its bytes; `before` runs at each switch to it (a log level). */
export interface Kind {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  before?: () => Promise<void>;
}

export interface Interleaved {
  name: string;
  /** Median over the B windows of B's CPU per request ÷ the mean of the A windows either side. */
  ratio: number;
  /** The 25th and 75th percentiles of those windows' ratios. */
  quartiles: [number, number];
  /** All B windows' CPU ÷ all their requests, against the same for A: every window, no median. */
  pooled: number;
  /** Median µs per request of the A and the B windows. */
  referenceUs: number;
  subjectUs: number;
  /** Median requests per window, A and B. */
  referenceRequests: number;
  subjectRequests: number;
  windows: number;
}

/**
 * A closed-loop HTTP/1.1 load: `connections` keep-alive sockets per target, one request in flight on
 * each, the next sent as soon as an answer is complete. Only the current kind's sockets send.
 * Counts answers; an answer that is not 2xx stops the measurement (it would not be the route).
 */
class Load {
  private kind!: { port: number; bytes: Buffer; name: string };
  private readonly pools = new Map<number, Socket[]>();
  answered = 0;
  failure?: string;
  private closed = false;

  constructor(private readonly connections: number) {}

  async use(kind: Kind): Promise<void> {
    const url = new URL(kind.url);
    const port = Number(url.port);
    const headers = { host: url.host, ...(kind.body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(kind.body)) } : {}), ...kind.headers };
    const head = `${kind.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    this.kind = { port, bytes: Buffer.from(head + (kind.body ?? '')), name: kind.url };
    await kind.before?.();
    let pool = this.pools.get(port);
    if (!pool) {
      pool = await Promise.all(Array.from({ length: this.connections }, () => this.open(url.hostname, port)));
      this.pools.set(port, pool);
    }
    for (const socket of pool) if (!(socket as Busy).busy) this.send(socket, port);
  }

  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) for (const s of pool) s.destroy();
  }

  private send(socket: Socket, port: number): void {
    if (this.closed || this.failure || this.kind.port !== port) {
      (socket as Busy).busy = false;
      return;
    }
    (socket as Busy).busy = true;
    socket.write(this.kind.bytes);
  }

  private open(host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
      socket.once('error', reject);
      let pending: Buffer | undefined;
      socket.on('data', (chunk: Buffer) => {
        pending = pending ? Buffer.concat([pending, chunk]) : chunk;
        // Answers are read one at a time: status line, headers, a Content-Length body.
        for (;;) {
          const end: number = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          const head: string = pending.toString('latin1', 0, end);
          const length: number = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
          if (!Number.isFinite(length)) return this.fail(`an answer without Content-Length from ${this.kind.name}`);
          if (pending.length < end + 4 + length) return;
          const status = Number(head.slice(9, 12));
          if (status < 200 || status > 299) return this.fail(`${this.kind.name} answered ${status}`);
          pending = pending.length === end + 4 + length ? undefined : pending.subarray(end + 4 + length);
          this.answered++;
          this.send(socket, port);
          if (!pending) return;
        }
      });
      socket.on('close', () => {
        if (!this.closed) this.fail(`the server closed a connection (${this.kind.name})`);
      });
    });
  }

  private fail(why: string): void {
    this.failure ??= why;
  }
}
type Busy = Socket & { busy?: boolean };

/** Nanoseconds every thread of `pid` has spent on a CPU (user and kernel). */
function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]);
    } catch {
      // the thread ended between the listing and the read; its time is gone from the total either way
    }
  }
  return total;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};

/**
 * `subject`'s server CPU per request as a multiple of `reference`'s (see the top of this file).
 * `pid` is the server process; both kinds must be answered by it.
 */
export async function interleavedCpu(name: string, pid: number, reference: Kind, subject: Kind, windows = WINDOWS, connections = 50): Promise<Interleaved> {
  const load = new Load(connections);
  const aUs: number[] = [];
  const bUs: number[] = [];
  const aN: number[] = [];
  const bN: number[] = [];
  const sums = { a: [0, 0], b: [0, 0] };
  const window = async (kind: Kind, us: number[], n: number[], sum: number[]) => {
    await load.use(kind);
    await sleep(SETTLE_MS);
    const [cpu0, answered0] = [cpuNs(pid), load.answered];
    await sleep(WINDOW_MS);
    const [cpu, answered] = [cpuNs(pid) - cpu0, load.answered - answered0];
    if (load.failure) throw new Error(`${name}: ${load.failure}`);
    if (!answered) throw new Error(`${name}: no answers in a window (${kind.url})`);
    us.push(cpu / 1000 / answered);
    n.push(answered);
    sum[0] += cpu;
    sum[1] += answered;
  };
  try {
    // A few windows of each first: the JIT has seen both kinds (the runner warms every route up too).
    for (let i = 0; i < 3; i++) for (const k of [reference, subject]) await load.use(k).then(() => sleep(SETTLE_MS + WINDOW_MS));
    await window(reference, aUs, aN, sums.a);
    for (let i = 0; i < windows; i++) {
      await window(subject, bUs, bN, sums.b);
      await window(reference, aUs, aN, sums.a);
    }
  } finally {
    load.close();
  }
  const ratios = bUs.map((b, i) => b / ((aUs[i] + aUs[i + 1]) / 2));
  const r3 = (v: number) => +v.toFixed(3);
  return {
    name,
    ratio: r3(quantile(ratios, 0.5)),
    quartiles: [r3(quantile(ratios, 0.25)), r3(quantile(ratios, 0.75))],
    pooled: r3(sums.b[0] / sums.b[1] / (sums.a[0] / sums.a[1])),
    referenceUs: +quantile(aUs, 0.5).toFixed(1),
    subjectUs: +quantile(bUs, 0.5).toFixed(1),
    referenceRequests: quantile(aN, 0.5),
    subjectRequests: quantile(bN, 0.5),
    windows,
  };
}
