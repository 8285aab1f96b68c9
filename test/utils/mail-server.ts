import { readdir, readFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as a mail client would show it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** The one-time token in a mail's link to `page` (`…/<page>?token=…`), from the plain-text body. */
export function tokenFrom(mail: ReceivedMail, page: 'verify-email' | 'reset-password' | 'confirm-email'): string {
  const match = new RegExp(`https?://\\S+/${page}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${page} link in "${mail.subject}":\n${mail.text}`);
  return decodeURIComponent(match[1]);
}

export interface MailServer {
  /** `smtp://user:pass@127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** Logins tried with wrong credentials. */
  rejectedLogins: number;
  /** Answer the next `n` deliveries with a temporary failure (451), as a busy server does. */
  failNext(n: number): void;
  /** The first message (already received or arriving within `timeoutMs`) for which `match` holds. */
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Every message to `address` so far. */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

const parse = async (source: Readable | Buffer): Promise<ReceivedMail> => {
  const m: ParsedMail = await simpleParser(source);
  const addresses = (field: ParsedMail['to']) => (field ? (Array.isArray(field) ? field : [field]).flatMap((a) => a.value.map((v: { address?: string }) => v.address ?? '')) : []);
  return { from: m.from?.text ?? '', to: addresses(m.to), subject: m.subject ?? '', text: m.text ?? '', html: typeof m.html === 'string' ? m.html : '' };
};

/**
 * A real SMTP server (smtp-server) on a free loopback port, with AUTH: what the app talks to when
 * SMTP_URL points at it. Messages are parsed with mailparser, as a mail client would.
 */
export async function startMailServer(credentials = { user: 'mailer', pass: 'mail-password-for-tests' }): Promise<MailServer> {
  const messages: ReceivedMail[] = [];
  const waiters: Array<{ match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }> = [];
  let failures = 0;
  let rejectedLogins = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'], // plain SMTP on loopback; AUTH PLAIN/LOGIN over it
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      rejectedLogins++;
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      if (failures > 0) {
        failures--;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        return;
      }
      parse(stream).then(
        (mail) => {
          messages.push(mail);
          for (const w of waiters.splice(0)) {
            if (w.match(mail)) w.resolve(mail);
            else waiters.push(w);
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}`,
    messages,
    get rejectedLogins() {
      return rejectedLogins;
    },
    failNext: (n) => (failures = n),
    waitFor(match, timeoutMs = 10_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching mail arrived')), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    to: (address) => messages.filter((m) => m.to.includes(address)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The `.eml` files of an outbox folder (development mail), parsed. */
export async function outboxMessages(dir: string): Promise<ReceivedMail[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(files.map(async (f) => parse(await readFile(join(dir, f)))));
}
