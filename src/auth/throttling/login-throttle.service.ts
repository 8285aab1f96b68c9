import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CodedHttpException } from '../../common/http-errors';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { normaliseEmail } from '../../users/email';
import { AuthErrorCode } from '../auth.types';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { COUNTER_STORE, CounterStore } from './counter.store';

const IP_WINDOW_MS = 60_000;
const FAILURE_WINDOW_MS = 15 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;

export function rateLimited(retryAfterMs: number): CodedHttpException {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new CodedHttpException(HttpStatus.TOO_MANY_REQUESTS, AuthErrorCode.RateLimited, `Too many attempts; retry in ${seconds} s`, {
    'Retry-After': String(seconds),
  });
}

/** After `max` failures, each further failure doubles the wait: 30 s, 1 min, 2 min … 15 min. */
export function backoffMs(failures: number, max: number): number {
  if (failures < max) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures - max, 16));
}

/**
 * Brute-force defences for the credential endpoints (OWASP Authentication Cheat Sheet):
 * - per client IP, `LOGIN_RATE_LIMIT_PER_IP` attempts a minute on login, token, register and
 *   refresh (the IP is `req.ip`, so X-Forwarded-For counts only behind `TRUST_PROXY`);
 * - per account, `LOGIN_MAX_FAILURES` failures in 15 minutes, then exponential back-off. The key
 *   is the normalised email (hashed), so case and space variants share one counter, and unknown
 *   emails are throttled exactly like known ones (no enumeration through 429s).
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    private readonly events: AuthEvents,
  ) {}

  async hitIp(ip: string): Promise<void> {
    const { count, resetMs } = await this.counters.hit(`nda:rl:ip:${ip}`, IP_WINDOW_MS);
    if (count > this.config.throttle.loginPerIpPerMinute) {
      this.events.emit(AuthEvent.Throttled, { scope: 'ip', ip });
      throw rateLimited(resetMs);
    }
  }

  /** Throws 429 while the account is backing off. Call before checking the password. */
  async assertAccountOpen(email: string): Promise<void> {
    const ms = await this.counters.blockedFor(this.keys(email).block);
    if (ms > 0) {
      this.events.emit(AuthEvent.Throttled, { scope: 'account', email: normaliseEmail(email) });
      throw rateLimited(ms);
    }
  }

  async recordFailure(email: string): Promise<void> {
    const keys = this.keys(email);
    const { count } = await this.counters.hit(keys.failures, FAILURE_WINDOW_MS);
    const wait = backoffMs(count, this.config.throttle.maxFailures);
    if (wait > 0) await this.counters.block(keys.block, wait);
  }

  async recordSuccess(email: string): Promise<void> {
    const keys = this.keys(email);
    await this.counters.reset(keys.failures, keys.block);
  }

  private keys(email: string) {
    const id = createHash('sha256').update(normaliseEmail(email)).digest('base64url');
    return { failures: `nda:rl:fail:${id}`, block: `nda:rl:block:${id}` };
  }
}
