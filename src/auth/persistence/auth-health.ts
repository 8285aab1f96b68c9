import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SESSION_BACKEND, SessionBackend } from '../sessions/session-record';

export type DependencyState = 'up' | 'down';

export interface AuthDependencies {
  database: DependencyState;
  sessionStore: DependencyState;
}

/** Each probe gets this long before the dependency counts as down. */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether the module's dependencies answer: PostgreSQL (`SELECT 1`) and the session store
 * (PostgreSQL or Redis). For a host's health check (the standalone app's `/health` uses it).
 */
@Injectable()
export class AuthHealth {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SESSION_BACKEND) private readonly sessionStore: SessionBackend,
  ) {}

  async check(): Promise<AuthDependencies> {
    const [database, sessionStore] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.sessionStore.ping()),
    ]);
    return { database, sessionStore };
  }
}

async function probe(check: () => Promise<unknown>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), HEALTH_PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
