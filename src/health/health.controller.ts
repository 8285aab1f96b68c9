import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators/auth.decorators';
import { SESSION_BACKEND, SessionBackend } from '../auth/sessions/session-record';
import { RETRY_AFTER_SECONDS } from '../common/filters/all-exceptions.filter';

type CheckState = 'up' | 'down';
const CHECK_TIMEOUT_MS = 2_000;

@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SESSION_BACKEND) private readonly sessionStore: SessionBackend,
  ) {}

  /** 200 when every dependency answers within 2 s, else 503 naming the one that did not. */
  @Get()
  async check(@Res({ passthrough: true }) res: Response) {
    const [database, sessionStore] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.sessionStore.ping()),
    ]);
    const checks: Record<string, CheckState> = { database, sessionStore };
    const ok = Object.values(checks).every((c) => c === 'up');
    if (!ok) {
      res.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    }
    return { status: ok ? 'ok' : 'error', checks };
  }
}

async function probe(check: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
