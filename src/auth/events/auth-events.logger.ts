import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthEvent, AuthEventName, AuthEventOf } from './auth-events';

const WARN: ReadonlySet<AuthEventName> = new Set([AuthEvent.LoginFailed, AuthEvent.RefreshReuseDetected, AuthEvent.Throttled]);

/** Writes every auth event to the structured log (payloads hold no secrets by construction). */
@Injectable()
export class AuthEventsLogger {
  private readonly logger = new Logger('AuthEvents');

  @OnEvent('auth.**')
  log(e: AuthEventOf<AuthEventName>): void {
    if (WARN.has(e.event)) this.logger.warn(e);
    else this.logger.log(e);
  }
}
