import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { MailParams, mailContent, renderHtml, renderText } from './mail-templates';
import { AuthMailKind, AuthMailTransport } from './mail.types';
import { OutboxTransport } from './outbox-transport';
import { SmtpTransport } from './smtp-transport';

/** Delivery attempts per message, and the waits between them. */
const RETRY_DELAYS_MS = [2_000, 10_000];
/** How long shutdown waits for messages still on their way. */
const SHUTDOWN_WAIT_MS = 10_000;

/** The display name of a `From` (`App <no-reply@…>` → `App`), or the address itself. */
function appNameOf(from: string): string {
  const name = /^\s*"?([^"<]+?)"?\s*</.exec(from)?.[1];
  return name ?? from.trim();
}

/**
 * Sends the module's mails in the background: `send()` returns at once, so no request waits for
 * (or fails with, or is timed by) a mail server — which is what keeps "forgot password" answering
 * alike for known and unknown addresses. A failed delivery is retried (2 s, then 10 s later) and
 * logged by kind and recipient, never with the message (it holds the link). Shutdown waits a
 * little for messages still on their way.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  readonly transport: AuthMailTransport;
  private readonly appName: string;
  private readonly pending = new Set<Promise<void>>();
  /** Retries waiting for their turn: shutdown runs them at once instead of waiting. */
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();
  private closing = false;

  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {
    const { smtpUrl, transport, outboxDir, from } = options.mail;
    this.transport = transport ?? (smtpUrl ? new SmtpTransport(smtpUrl) : new OutboxTransport(outboxDir));
    this.appName = appNameOf(from);
  }

  /** The absolute URL of an app page with a one-time token: `<appUrl>/<page>?token=…`. */
  link(page: 'verify-email' | 'reset-password' | 'confirm-email', token: string): string {
    return `${this.options.mail.appUrl}/${page}?token=${encodeURIComponent(token)}`;
  }

  /** Composes the message and queues it; never throws, never waits. */
  send<K extends AuthMailKind>(kind: K, to: string, params: MailParams[K]): void {
    const content = mailContent(kind, params, this.appName);
    const mail = { kind, from: this.options.mail.from, to, subject: content.subject, text: renderText(content), html: renderHtml(content) };
    const delivery = this.deliver(mail).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /** Resolves once every queued message is delivered or given up (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async deliver(mail: Parameters<AuthMailTransport['send']>[0]): Promise<void> {
    const attempts = RETRY_DELAYS_MS.length + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transport.send(mail);
        return;
      } catch (err) {
        const last = attempt === attempts;
        this.logger.warn(`"${mail.kind}" mail to ${mail.to} failed (attempt ${attempt} of ${attempts}${last ? ', giving up' : ''}): ${(err as Error).message}`);
        if (last) return;
        await this.pause(RETRY_DELAYS_MS[attempt - 1]);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.waiting.set(timer, resolve);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const [timer, resume] of this.waiting) {
      clearTimeout(timer);
      resume();
    }
    this.waiting.clear();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_WAIT_MS)));
    const outcome = await Promise.race([this.idle().then(() => 'done' as const), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn(`${this.pending.size} mail(s) still undelivered at shutdown`);
    await this.transport.close?.();
  }
}
