import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SESSION_BACKEND, SessionBackend } from '../sessions/session-record';
import { RefreshTokensRepository } from '../tokens/refresh-tokens.repository';

const EVERY_MS = 15 * 60_000;

/** Deletes expired sessions and token families: every 15 minutes in the server, and by `npm run prune`. */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(SESSION_BACKEND) private readonly sessions: SessionBackend,
    private readonly families: RefreshTokensRepository,
  ) {}

  async prune(): Promise<{ sessions: number; tokenFamilies: number }> {
    const [sessions, tokenFamilies] = await Promise.all([this.sessions.pruneExpired(Date.now()), this.families.pruneExpired()]);
    return { sessions, tokenFamilies };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune().then(
        (n) => (n.sessions || n.tokenFamilies) && this.logger.log(`pruned ${n.sessions} sessions, ${n.tokenFamilies} token families`),
        (err: Error) => this.logger.warn(`prune failed: ${err.message}`), // retried next round
      );
    }, EVERY_MS);
    this.timer.unref(); // never keeps the process alive
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
