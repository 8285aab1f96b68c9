import { DynamicModule, Inject, Injectable, LoggerService, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import pino, { Logger } from 'pino';
import { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Nest's contexts that log one line per module, controller and route at startup. */
const BOOT_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The root logger: JSON lines on stdout, or pino-pretty's readable ones (development, a terminal).
 *
 * JSON lines are written asynchronously (sonic-boom, `sync: false`): no synchronous `write` per
 * line on the request path. Lines are collected by a `LineBatcher` and leave BUFFER_BYTES at a
 * time, or FLUSH_MS after the first one, whichever comes first. Nothing is lost on a normal exit
 * (the batch and sonic-boom's buffer are written synchronously on `exit`, which SIGTERM's shutdown
 * and `process.exit()` reach) nor on a crash (`flushLogsOnCrash`); only SIGKILL can cut the last
 * batch.
 */
export function rootLogger(config: Pick<AppConfig, 'logFormat' | 'logLevel'>): Logger {
  if (config.logFormat === 'json') {
    return pino({ level: config.logLevel }, new LineBatcher(logDestination(1)));
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a development dependency, loaded only when asked for
  const pretty = require('pino-pretty') as (o: object) => NodeJS.WritableStream;
  return pino({ level: config.logLevel }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }));
}

/**
 * sonic-boom on `dest` (a file descriptor or path) as the LineBatcher wants it: asynchronous
 * writes (a stuck log pipe blocks a libuv worker, not the event loop), no buffering of its own,
 * and Buffers in: the batch is encoded to UTF-8 once. In string mode sonic-boom measures each
 * string's byte length on `write` (and the queued one's again when a write is in flight), and
 * the string is encoded twice: by `fs.write`, and again by sonic-boom after the write completes.
 */
export function logDestination(dest: number | string): Destination {
  return pino.destination({ dest, sync: false, minLength: 0, contentMode: 'buffer' });
}

/**
 * Lines are written in batches of this many characters … Each batch costs a fixed amount (a
 * libuv worker's wake-up, the write's completion callback) besides its bytes. Measured in a loop
 * (BENCHMARKS.md, 2026-12-07): 8 kB string batches cost ~2 µs of CPU per line beyond building it,
 * 64 kB Buffer batches ~0.4 µs. At ~10,000 lines a second a batch fills in ~20 ms; FLUSH_MS
 * bounds the wait when traffic is light.
 */
const BUFFER_BYTES = 65_536;
/** … or this long after the first line of a batch, whichever comes first. */
const FLUSH_MS = 100;
/** At exit, how long an asynchronous write already in flight is given to land. */
const WRITE_SETTLE_MS = 20;

type Destination = ReturnType<typeof pino.destination>;
const batchers = new Set<LineBatcher>();
let exitHooked = false;

/**
 * pino's destination: lines are kept in an array and handed to sonic-boom joined, one write per
 * batch. Not sonic-boom's own `minLength` buffering: it appends every line to one growing string
 * and measures that string's byte length on each write, which flattens it — under load ~7 kB of
 * garbage per request line (a heap profile of the bench server), more than everything else the
 * open route allocates for its own work.
 */
export class LineBatcher {
  private lines: string[] = [];
  private length = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly out: Destination) {
    batchers.add(this);
    out.once('close', () => batchers.delete(this));
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => {
        for (const batcher of batchers) batcher.flushSync();
      });
    }
  }

  write(line: string): boolean {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= BUFFER_BYTES) this.writeBatch();
    else this.timer ??= setTimeout(() => this.writeBatch(), FLUSH_MS).unref();
    return true;
  }

  /** pino's `logger.flush(cb)`: the batch goes to sonic-boom now. */
  flush(cb?: (err?: Error) => void): void {
    this.writeBatch();
    this.out.flush(cb);
  }

  /**
   * Everything out, synchronously (exit, crash). sonic-boom's own `flushSync` writes what it holds
   * at once, even while an asynchronous write of earlier lines is still in flight, which would put
   * later lines ahead of earlier ones; that write takes its worker thread microseconds, so it gets
   * WRITE_SETTLE_MS first. Then sonic-boom's lines, then this batch, in that order.
   */
  flushSync(): void {
    if (this.closed) return;
    if ((this.out as unknown as { _writing?: boolean })._writing) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WRITE_SETTLE_MS);
    this.out.flushSync();
    const batch = this.take();
    if (batch) writeSync((this.out as unknown as { fd: number }).fd, batch);
  }

  private get closed(): boolean {
    return (this.out as { destroyed?: boolean }).destroyed === true;
  }

  private writeBatch(): void {
    const batch = this.take();
    // sonic-boom is in buffer mode (logDestination): its `write` takes a Buffer, typed as a string.
    if (batch) this.out.write(Buffer.from(batch) as unknown as string);
  }

  /** The lines held, joined; none held after. */
  private take(): string | undefined {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0 || this.closed) return undefined;
    const batch = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.length = 0;
    return batch;
  }
}
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * An uncaught exception or unhandled rejection: one fatal line, the buffer flushed synchronously,
 * exit 1 — instead of Node printing a stack to stderr and the buffered lines before it being lost.
 */
export function flushLogsOnCrash(root: Logger): void {
  const crash = (kind: string) => (err: unknown) => {
    root.fatal({ err: err instanceof Error ? { type: err.name, message: err.message, stack: err.stack } : { message: String(err) } }, kind);
    root.flush(); // sonic-boom flushes synchronously here as well as on the `exit` that follows
    process.exit(1);
  };
  process.once('uncaughtException', crash('uncaught exception'));
  process.once('unhandledRejection', crash('unhandled promise rejection'));
}

/*
 * No AsyncLocalStorage: on Node 20 it turns on async hooks for every promise in the process, and
 * measured on the bench server that cost ~25% of the CPU of *every* request — a bare NestJS route
 * in the same process included (npm run bench:quick: bare 251 → 187 µs, open route 342 → 246 µs).
 * So only the request's own line carries `reqId`; a line logged while serving a request (an auth
 * event, a warning) carries the `userId`/`ip` it is about, not the request id.
 */

/**
 * Nest's logger on pino: JSON lines, with `context` and — inside a request — its `reqId`.
 * Objects are logged as fields (auth events), strings as `msg`.
 */
@Injectable()
export class PinoLoggerService implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  /** Nest calls `error(message, stack?, context?)`. */
  error(message: unknown, ...rest: unknown[]): void {
    const context = rest.length ? rest[rest.length - 1] : undefined;
    const stack = rest.length > 1 ? rest[0] : undefined;
    const logger = this.root;
    const fields: Record<string, unknown> = { context };
    if (typeof stack === 'string') fields.err = { message: typeof message === 'string' ? message : undefined, stack };
    if (message && typeof message === 'object') logger.error({ ...fields, ...(message as object) });
    else logger.error(fields, String(message));
  }

  private write(requested: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    const logger = this.root;
    const context = rest.length ? rest[rest.length - 1] : undefined;
    // Nest's boot chatter (a line per module and per route) is for debugging, not every start.
    const level = requested === 'info' && typeof context === 'string' && BOOT_CHATTER.has(context) ? 'debug' : requested;
    if (!logger.isLevelEnabled(level)) return;
    if (message && typeof message === 'object') logger[level]({ context, ...(message as object) });
    else logger[level]({ context }, String(message));
  }
}

/**
 * Structured JSON logs (pino) with a request id on every line: the caller's `X-Request-Id` when
 * it is a plain token, else a new UUID, echoed back in the response header. One line per request
 * when it ends — method, path, client address, status, time, and the caller once known (set by the
 * auth guard; never how they proved it). Allow-listed fields only: headers — and so cookies,
 * Authorization and CSRF tokens — never reach the log; bodies are never logged.
 *
 * Written directly rather than with pino-http: one closure and one listener per request, no child
 * logger per request, no synthetic `Error` (with a stack) for every 5xx line.
 */
export function requestLogging(root: Logger): (req: Request, res: Response, next: NextFunction) => void {
  // The request line is the one line every request writes: it is built here as text, in pino's
  // own format (level, time, pid, hostname, then the fields, then msg), and handed to the logger's
  // destination — pino's generic object serialisation was a measurable share of the open route.
  const stream = (root as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym];
  const base = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  const q = JSON.stringify;
  return (req, res, next) => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    // 'close' follows 'finish' for every response, and comes alone when the client went away.
    res.once('close', function writeRequestLine() {
      const status = res.statusCode;
      const aborted = !res.writableFinished;
      const level = status >= 500 ? 'error' : status >= 400 || aborted ? 'warn' : 'info';
      if (!root.isLevelEnabled(level)) return;
      const auth = req.auth;
      const ip = req.socket.remoteAddress;
      const url = req.originalUrl;
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      const msg = aborted ? 'request aborted' : status >= 500 ? 'request errored' : 'request completed';
      // `id` matched REQUEST_ID or is a UUID; everything from the client goes through JSON.stringify.
      stream.write(
        `{"level":${LEVEL_NUMBERS[level]},"time":${Date.now()}${base},"reqId":"${id}","req":{"id":"${id}","method":${q(req.method)},"path":${q(path)}` +
          `${ip === undefined ? '' : `,"ip":${q(ip)}`}},"res":{"statusCode":${status}},"responseTime":${Math.round(performance.now() - started)}` +
          `${auth ? `,"userId":${q(auth.user.id)},"strategy":${q(auth.strategy)}` : ''},"msg":"${msg}"}\n`,
      );
    });
    next();
  };
}

const LEVEL_NUMBERS = { info: 30, warn: 40, error: 50 } as const;

export const REQUEST_LOGGING = Symbol('REQUEST_LOGGING');

/** The root pino logger, Nest's logger on it, and the request-logging middleware (`app.use` it first). */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: rootLogger(config) },
        PinoLoggerService,
        { provide: REQUEST_LOGGING, inject: [ROOT_LOGGER], useFactory: requestLogging },
      ],
      exports: [PinoLoggerService, REQUEST_LOGGING, ROOT_LOGGER],
    };
  }
}
