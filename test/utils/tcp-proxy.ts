import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * How the proxy treats traffic:
 * - `pass`: forwards both ways;
 * - `blackhole`: accepts connections and swallows everything, answering nothing (a hung server,
 *   or a link that went dark) — connections made meanwhile are never connected upstream;
 * - `drop-replies`: forwards requests but throws the answers away (a half-open link: the server
 *   acts — commits — but the client never hears of it). Connections that lost replies stay
 *   unusable afterwards, as they would in reality; clients must replace them.
 */
export type ProxyMode = 'pass' | 'blackhole' | 'drop-replies';

/**
 * A loopback TCP proxy in front of a dependency (PostgreSQL, Redis) that a test can cut, hang or
 * half-open and then restore, without ever touching the real service.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private mode: ProxyMode = 'pass';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts listening (on the same port again after a cut, when there was one). */
  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
  }

  /** The clean outage: open connections drop, new ones are refused. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
    this.server = undefined;
  }

  /** Applies a fault: `cut` closes the port; the other modes keep it open. */
  async fault(mode: 'cut' | Exclude<ProxyMode, 'pass'>): Promise<void> {
    if (mode === 'cut') await this.cut();
    else this.setMode(mode);
  }

  /** Back to normal: listening again and forwarding both ways. */
  async restore(): Promise<void> {
    this.mode = 'pass';
    if (!this.server) await this.start();
  }

  async stop(): Promise<void> {
    await this.cut();
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.mode === 'blackhole') {
      client.on('data', () => undefined);
      client.on('error', () => client.destroy());
      return;
    }
    const upstream = createConnection(this.targetPort, this.targetHost);
    this.track(upstream);
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      if (this.mode !== 'blackhole') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.mode === 'pass') client.write(chunk);
    });
  }

  /** Replaces host:port in a URL with the proxy's. */
  static urlThrough(url: string, port: number): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  }
}
