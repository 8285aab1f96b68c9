import { createTransport, Transporter } from 'nodemailer';
import { AuthMail, AuthMailTransport } from './mail.types';

/** Deadlines for one delivery: a hung SMTP server must not hold messages (or shutdown) for long. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/**
 * Mail by SMTP through nodemailer: `smtp://` (STARTTLS whenever the server offers it) or
 * `smtps://` (TLS from the start), credentials in the URL. Pooled connections, so a burst of
 * mails does not open one connection each.
 */
export class SmtpTransport implements AuthMailTransport {
  private readonly transporter: Transporter;

  constructor(url: string) {
    const parsed = new URL(url);
    this.transporter = createTransport({
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587,
      secure: parsed.protocol === 'smtps:',
      auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
      pool: true,
      maxConnections: 2,
      ...SMTP_TIMEOUTS,
    });
  }

  async send(mail: AuthMail): Promise<void> {
    await this.transporter.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
  }

  close(): void {
    this.transporter.close();
  }
}
