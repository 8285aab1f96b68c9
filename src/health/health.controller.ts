import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators/auth.decorators';
import { SESSION_BACKEND, SessionBackend } from '../auth/sessions/session-record';
import { RETRY_AFTER_SECONDS } from '../common/filters/all-exceptions.filter';
import { HealthDto } from '../openapi/schemas';

const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    @Inject(SESSION_BACKEND) private readonly sessionStore: SessionBackend,
  ) {}

  /**
   * `GET /health` → 200 `{status: "ok", checks: {database: "up", sessionStore: "up"}}`; 503 with
   * the failing check `down` when a dependency does not answer within 2 s. Runs on
   * @nestjs/terminus; the body keeps the contract's shape.
   */
  @Get()
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'A dependency is down; `Retry-After` is set.' })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const result = await this.health
      .check([
        () => this.probe('database', () => this.dataSource.query('SELECT 1')),
        () => this.probe('sessionStore', () => this.sessionStore.ping()),
      ])
      .catch((err: { getResponse?: () => { details?: HealthIndicatorResult } }) => {
        if (!err.getResponse) throw err;
        return { status: 'error' as const, details: err.getResponse().details ?? {} };
      });
    const state = (key: string) => (result.details[key]?.status === 'up' ? 'up' : 'down');
    const checks = { database: state('database'), sessionStore: state('sessionStore') } as const;
    const ok = result.status === 'ok';
    if (!ok) res.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return { status: ok ? 'ok' : 'error', checks };
  }

  private async probe(key: string, check: () => Promise<unknown>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
        }),
      ]);
      return indicator.up();
    } catch {
      return indicator.down();
    } finally {
      clearTimeout(timer);
    }
  }
}
