import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthHealth, Public } from '../../index';

/** Seconds a client should wait after a 503 before asking again. */
const RETRY_AFTER_SECONDS = 5;

export class HealthChecksDto {
  @ApiProperty({ enum: ['up', 'down'] }) database: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] }) sessionStore: 'up' | 'down';
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ type: HealthChecksDto }) checks: HealthChecksDto;
}

@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly auth: AuthHealth) {}

  /**
   * `GET /health` → 200 `{status: "ok", checks: {database: "up", sessionStore: "up"}}`; 503 with
   * the failing check `down` when a dependency does not answer within 2 s.
   */
  @Get()
  @ApiOperation({ summary: 'Are the dependencies up?', description: 'PostgreSQL and the session store (PostgreSQL or Redis), 2 s each. For load balancers.' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'A dependency is down; `Retry-After` is set.' })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const checks = await this.auth.check();
    const ok = checks.database === 'up' && checks.sessionStore === 'up';
    if (!ok) res.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return { status: ok ? 'ok' : 'error', checks };
  }
}
