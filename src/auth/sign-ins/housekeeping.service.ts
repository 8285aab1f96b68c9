import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SESSION_BACKEND, SessionBackend } from '../sessions/session-record';
import { RefreshTokensRepository } from '../tokens/refresh-tokens.repository';
import { OneTimeTokensRepository } from '../one-time-tokens/one-time-tokens.repository';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { EXPIRED_KEY_RETENTION_MS } from '../api-keys/api-keys.service';

const EVERY_MS = 15 * 60_000;

/** Deletes expired sessions, token families, one-time tokens and (after 30 days) API keys: every 15 minutes in the server, and by `npm run prune`. */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(SESSION_BACKEND) private readonly sessions: SessionBackend,
    private readonly families: RefreshTokensRepository,
    private readonly oneTimeTokens: OneTimeTokensRepository,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  async prune(): Promise<{ sessions: number; tokenFamilies: number; oneTimeTokens: number; apiKeys: number }> {
    const [sessions, tokenFamilies, oneTimeTokens, apiKeys] = await Promise.all([
      this.sessions.pruneExpired(Date.now()),
      this.families.pruneExpired(),
      this.oneTimeTokens.prune(),
      this.apiKeys.pruneExpired(EXPIRED_KEY_RETENTION_MS),
    ]);
    return { sessions, tokenFamilies, oneTimeTokens, apiKeys };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune().then(
        (n) =>
          (n.sessions || n.tokenFamilies || n.oneTimeTokens || n.apiKeys) &&
          this.logger.log(`pruned ${n.sessions} sessions, ${n.tokenFamilies} token families, ${n.oneTimeTokens} one-time tokens, ${n.apiKeys} expired API keys`),
        (err: Error) => this.logger.warn(`prune failed: ${err.message}`), // retried next round
      );
    }, EVERY_MS);
    this.timer.unref(); // never keeps the process alive
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
