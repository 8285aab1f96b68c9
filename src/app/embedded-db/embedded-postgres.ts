import { mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgliteServer } from './pglite-server';

/** A database the app can reach with an ordinary `postgres://` URL. */
export interface DatabaseHandle {
  url: string;
  /** True when this process runs the embedded PGlite server. */
  embeddedOwner: boolean;
  close(): Promise<void>;
}

interface LockContents {
  pid: number;
  url?: string;
}

export class EmbeddedDatabaseLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid}. ` +
        'Stop that process, or use another DATA_DIR, or set DATABASE_URL.',
    );
    this.name = 'EmbeddedDatabaseLockedError';
  }
}

/**
 * Opens the database for this process.
 *
 * - `DATABASE_URL` set: that PostgreSQL, nothing to start.
 * - Otherwise the embedded PostgreSQL (PGlite, file-backed in `DATA_DIR/pgdata`), served on a
 *   loopback port to the ordinary `pg` driver (`PgliteServer`), so the app's code path is the
 *   same as on a real server.
 *   A lock file (`DATA_DIR/embedded-db.lock`, holding the pid and URL) stops a second process from
 *   opening the same folder. With `shareRunning`, a process that finds a live owner (e.g. the CLI
 *   beside a running server) connects through the owner's socket instead of failing.
 */
export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  shareRunning?: boolean;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embeddedOwner: false, close: async () => {} };
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lockPath = join(options.dataDir, 'embedded-db.lock');

  for (let attempt = 0; ; attempt++) {
    if (tryCreateLock(lockPath)) return startEmbedded(options.dataDir, lockPath);

    const lock = readLock(lockPath);
    if (lock && isAlive(lock.pid)) {
      if (!options.shareRunning) throw new EmbeddedDatabaseLockedError(options.dataDir, lock.pid);
      if (lock.url) return { url: lock.url, embeddedOwner: false, close: async () => {} };
      // The owner is still starting: its URL appears in the lock once it listens.
      if (attempt > 300) throw new EmbeddedDatabaseLockedError(options.dataDir, lock.pid);
      await sleep(100);
      continue;
    }
    if (!lock && attempt < 20) {
      // Just created by another process, not written yet.
      await sleep(50);
      continue;
    }
    // Stale lock from a process that died: take it over.
    try {
      unlinkSync(lockPath);
    } catch {
      /* someone else removed it first */
    }
  }
}

async function startEmbedded(dataDir: string, lockPath: string): Promise<DatabaseHandle> {
  let released = false;
  const releaseLock = () => {
    if (released) return;
    released = true;
    try {
      if (readLock(lockPath)?.pid === process.pid) unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', releaseLock);
  try {
    // Loaded lazily: only the embedded mode pays for PGlite's WebAssembly.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(join(dataDir, 'pgdata'));
    const server = new PgliteServer(db);
    const url = await server.listen();
    writeLock(lockPath, { pid: process.pid, url });
    return {
      url,
      embeddedOwner: true,
      close: async () => {
        await server.close();
        await db.close();
        releaseLock();
        process.removeListener('exit', releaseLock);
      },
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

function tryCreateLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx', 0o600);
    writeFileSync(fd, JSON.stringify({ pid: process.pid } satisfies LockContents));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function writeLock(lockPath: string, contents: LockContents): void {
  writeFileSync(lockPath, JSON.stringify(contents), { mode: 0o600 });
}

function readLock(lockPath: string): LockContents | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as LockContents;
    return Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
