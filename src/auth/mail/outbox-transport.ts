import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { AuthMail, AuthMailTransport } from './mail.types';

/**
 * Development mail: each message becomes an `.eml` file (RFC 5322, openable by any mail client)
 * in the outbox folder, and one log line names the file — never its content, which holds the link.
 */
export class OutboxTransport implements AuthMailTransport {
  private readonly logger = new Logger('Mail');
  private readonly composer: Transporter;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    // nodemailer's stream transport composes the MIME message without sending it anywhere.
    this.composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(mail: AuthMail): Promise<void> {
    const info = (await this.composer.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })) as unknown as {
      message: Buffer;
    };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(this.dir, `${stamp}-${mail.kind}-${randomBytes(4).toString('hex')}.eml`);
    await writeFile(file, info.message, { mode: 0o600 });
    this.logger.log(`"${mail.kind}" mail written to ${file}`);
  }
}
