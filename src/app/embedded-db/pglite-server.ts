import type { PGlite } from '@electric-sql/pglite';
import { createServer, Server, Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
// Frontend messages that end a unit of work: Sync (extended protocol), Query (simple), Terminate.
const UNIT_END = new Set([0x53, 0x51, 0x58]);
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

interface Pending {
  conn: Connection;
  message: Uint8Array;
  endsUnit: boolean;
}

/**
 * Serves one PGlite (a single PostgreSQL backend) to many ordinary `pg` connections over TCP.
 *
 * Why not `@electric-sql/pglite-socket`: it interleaves connections message by message, so one
 * connection's Parse/Bind/Execute can run between another's, clobbering the shared unnamed
 * prepared statement ("unnamed prepared statement does not exist", or worse, running the other
 * statement). Here a connection owns PGlite from its first message until its unit of work ends
 * (Sync / Query) — and for as long as it has a transaction open — while the others wait.
 */
export class PgliteServer {
  private server?: Server;
  private readonly queue: Pending[] = [];
  private readonly connections = new Set<Connection>();
  private owner: Connection | null = null;
  private pumping = false;

  constructor(private readonly db: PGlite) {}

  /** Listens on 127.0.0.1 (port 0 = any free port); resolves to `postgres://…` for `pg`. */
  async listen(port = 0): Promise<string> {
    await this.db.waitReady;
    this.server = createServer((socket) => this.connections.add(new Connection(socket, this)));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as { port: number };
    return `postgres://postgres@127.0.0.1:${address.port}/postgres`;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  enqueue(conn: Connection, message: Uint8Array, endsUnit: boolean): void {
    this.queue.push({ conn, message, endsUnit });
    void this.pump();
  }

  disconnected(conn: Connection): void {
    this.connections.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].conn === conn) this.queue.splice(i, 1);
    void this.pump(); // releases PGlite if this connection held it
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.owner && !this.owner.alive) {
          // A client that vanished mid-unit or mid-transaction must not leave either open for the
          // others: end its extended-protocol unit (Sync), then roll its transaction back.
          await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC, { onRawData: () => undefined }));
          if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
          this.owner = null;
        }
        if (!this.queue.length) break;
        const index = this.owner ? this.queue.findIndex((p) => p.conn === this.owner) : 0;
        if (index === -1) break; // the owner's next message has not arrived yet
        const { conn, message, endsUnit } = this.queue.splice(index, 1)[0];
        if (!conn.alive) continue;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(message, { onRawData: (data: Uint8Array) => conn.write(data) }),
          );
        } catch {
          conn.socket.destroy(); // protocol-level failure: drop this client, keep serving others
        }
        this.owner = !endsUnit || this.db.isInTransaction() ? conn : null;
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** One client connection: splits the byte stream into protocol messages. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  alive = true;

  constructor(
    readonly socket: Socket,
    private readonly server: PgliteServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.alive = false;
      this.server.disconnected(this);
    });
  }

  write(data: Uint8Array): void {
    if (this.alive && this.socket.writable) this.socket.write(data);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (!this.started) {
        // Untyped messages: SSLRequest, GSSENCRequest, CancelRequest, StartupMessage.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (length < 8 || length > 10_000) return void this.socket.destroy();
        if (this.buffer.length < length) return;
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.write(Buffer.from('N')); // no TLS on loopback
        else if (code === CANCEL_REQUEST) return void this.socket.destroy(); // not supported
        else {
          this.started = true;
          this.server.enqueue(this, new Uint8Array(message), true);
        }
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = 1 + this.buffer.readInt32BE(1);
      if (this.buffer.length < length) return;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      this.server.enqueue(this, new Uint8Array(message), UNIT_END.has(message[0]));
    }
  }
}
