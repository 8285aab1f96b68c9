import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { LoginThrottleService } from './login-throttle.service';

/**
 * Per-IP limit on the credential endpoints (login, token, register, refresh). Runs before the
 * body is looked at, so floods are refused cheaply. @nestjs/throttler was not used: the same
 * counters must also drive the per-account back-off, and they must live in Redis when it is set.
 */
@Injectable()
export class IpThrottleGuard implements CanActivate {
  constructor(private readonly throttle: LoginThrottleService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    await this.throttle.hitIp(req.ip ?? 'unknown');
    return true;
  }
}
