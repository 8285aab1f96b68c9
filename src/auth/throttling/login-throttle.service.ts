import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CodedHttpException } from '../http/http-errors';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { normaliseEmail } from '../accounts/email';
import { AuthErrorCode } from '../auth.types';
import { AuthEvent, AuthEventPayloads, AuthEvents } from '../events/auth-events';
import { AttemptKeys, BackoffPolicy, COUNTER_STORE, CounterStore } from './counter.store';

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

/**
 * Brute-force defences for the credential endpoints (OWASP Authentication Cheat Sheet):
 * - per client IP, `LOGIN_RATE_LIMIT_PER_IP` attempts a minute on login, token, register and
 *   refresh (the IP is `req.ip`, so X-Forwarded-For counts only behind `TRUST_PROXY`);
 * - per account, `LOGIN_MAX_FAILURES` failures in 15 minutes, then exponential back-off. The key
 *   is the normalised email (hashed), so case and space variants share one counter, and unknown
 *   emails are throttled exactly like known ones (no enumeration through 429s).
 * Checking the limit and reserving the check are one atomic step in the counter store, so
 * concurrent requests cannot race past it: at most `LOGIN_MAX_FAILURES` wrong passwords are
 * checked per window however many arrive at once (a burst beyond that gets 429 with
 * `Retry-After: 1` until the checks already running resolve).
 * `auth.throttled` is emitted once per key per window (the request log line records every 429),
 * so a flood cannot fill a disk with events.
 */
@Injectable()
export class LoginThrottleService {
  private readonly policy: BackoffPolicy;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly config: AuthOptions,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    private readonly events: AuthEvents,
  ) {
    this.policy = { maxFailures: config.throttle.maxFailures, windowMs: FAILURE_WINDOW_MS, baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_MAX_MS };
  }

  async hitIp(ip: string): Promise<void> {
    const limit = this.config.throttle.loginPerIpPerMinute;
    const { count, resetMs } = await this.counters.hit(`nda:rl:ip:${ip}`, IP_WINDOW_MS);
    if (count > limit) {
      if (count === limit + 1) this.events.emit(AuthEvent.Throttled, { scope: 'ip', ip });
      throw rateLimited(resetMs);
    }
  }

  /**
   * `POST password/forgot`: `throttle.passwordResetPerEmail` requests per normalised address in 15
   * minutes, known and unknown alike (a 429 says nothing about the account).
   */
  async hitPasswordReset(email: string): Promise<void> {
    const id = createHash('sha256').update(normaliseEmail(email)).digest('base64url');
    await this.windowLimit(`nda:rl:{reset:${id}}`, this.config.throttle.passwordResetPerEmail, () => ({ scope: 'password_reset', email: normaliseEmail(email) }));
  }

  /** Mails a signed-in user asks for (verification resends, email-change requests): `throttle.mailPerUser` in 15 minutes. */
  async hitUserMail(userId: string): Promise<void> {
    await this.windowLimit(`nda:rl:{mail:${userId}}`, this.config.throttle.mailPerUser, () => ({ scope: 'mail', userId }));
  }

  private async windowLimit(key: string, limit: number, event: () => AuthEventPayloads[typeof AuthEvent.Throttled]): Promise<void> {
    const { count, resetMs } = await this.counters.hit(key, FAILURE_WINDOW_MS);
    if (count > limit) {
      if (count === limit + 1) this.events.emit(AuthEvent.Throttled, event());
      throw rateLimited(resetMs);
    }
  }

  /**
   * Runs a credential check for `email` under the account's back-off: refused with 429 while a
   * back-off runs (or while enough checks to reach it are already running); otherwise the check's
   * outcome is counted — a falsy result as a failure, a user as a success that clears the count.
   * A check that throws (a 503, an overloaded hasher) never ran: it does not count.
   */
  async guarded<T>(email: string, check: () => Promise<T | null>): Promise<T | null> {
    const keys = this.keys(email);
    const reservation = await this.counters.reserveAttempt(keys, this.policy);
    if (!reservation.allowed) {
      if (reservation.firstRefusal) this.events.emit(AuthEvent.Throttled, { scope: 'account', email: normaliseEmail(email) });
      throw rateLimited(reservation.retryAfterMs);
    }
    let result: T | null;
    try {
      result = await check();
    } catch (err) {
      await this.counters.releaseAttempt(keys).catch(() => undefined);
      throw err;
    }
    await this.counters.resolveAttempt(keys, this.policy, result ? 'succeeded' : 'failed');
    return result;
  }

  private keys(email: string): AttemptKeys {
    const id = createHash('sha256').update(normaliseEmail(email)).digest('base64url');
    // One hash tag per account: a Redis Cluster keeps the three keys in one slot, as the script needs.
    const tag = `nda:rl:{acct:${id}}`;
    return { failures: `${tag}:fail`, inFlight: `${tag}:running`, block: `${tag}:block`, notified: `${tag}:notified` };
  }
}
