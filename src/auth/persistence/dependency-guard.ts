import { Logger } from '@nestjs/common';

export type DependencyName = 'database' | 'redis';

/** A dependency could not answer in time or at all. The exception filter turns it into a 503. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: DependencyName,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} unavailable: ${reason}`, options);
    this.name = 'DependencyUnavailableError';
  }
}

export interface DependencyGuardOptions {
  /** How often a down dependency is probed until it answers again. */
  probeEveryMs?: number;
  logger?: Logger;
}

/**
 * A circuit breaker for one dependency. A call that hit its deadline, or could not connect, marks
 * the dependency down: from then on calls fail at once (a prompt 503 instead of every request
 * waiting out its own deadline and piling up on a hung server) while a probe runs right away and
 * then every `probeEveryMs` until the dependency answers again — recovery needs no restart.
 * Errors that prove the server answered (a constraint violation, a statement timeout) never open it.
 */
export class DependencyGuard {
  private downSince: number | null = null;
  private reason = '';
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly probeEveryMs: number;
  private readonly logger: Logger;

  constructor(
    readonly name: DependencyName,
    private readonly probe: () => Promise<unknown>,
    options: DependencyGuardOptions = {},
  ) {
    this.probeEveryMs = options.probeEveryMs ?? 500;
    this.logger = options.logger ?? new Logger('Dependencies');
  }

  get isUp(): boolean {
    return this.downSince === null;
  }

  /** Throws `DependencyUnavailableError` while the dependency is marked down. */
  assertUp(): void {
    if (this.downSince !== null) throw new DependencyUnavailableError(this.name, this.reason);
  }

  /** A call could not reach the dependency, or hit its deadline. */
  reportFailure(reason: string): void {
    if (this.downSince !== null || this.closed) return;
    this.downSince = Date.now();
    this.reason = reason;
    this.logger.warn(`${this.name} marked down (${reason}); failing fast and probing every ${this.probeEveryMs} ms`);
    this.scheduleProbe(0);
  }

  /** Stops probing (application shutdown). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private scheduleProbe(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.probe().then(
        () => {
          if (this.downSince === null) return;
          this.logger.log(`${this.name} answers again after ${Date.now() - this.downSince} ms`);
          this.downSince = null;
        },
        () => this.scheduleProbe(this.probeEveryMs),
      );
    }, delayMs);
    this.timer.unref();
  }
}
