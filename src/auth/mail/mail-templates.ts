import { AuthMailKind } from './mail.types';

/** What one message says; both bodies (plain text and HTML) are rendered from it. */
export interface MailContent {
  subject: string;
  paragraphs: string[];
  /** The link the message is about, as a button in HTML and a bare URL in text. */
  action?: { label: string; url: string };
  /** Small print after the link. */
  footer: string[];
}

/** What each kind of message needs. */
export interface MailParams {
  'verify-email': { email: string; url: string; validFor: number };
  'password-reset': { email: string; url: string; validFor: number };
  'password-reset-notice': { email: string };
  'email-change': { newEmail: string; url: string; validFor: number };
  'email-change-notice': { oldEmail: string; newEmail: string };
}

/** `86_400_000` → `24 hours`; `1_800_000` → `30 minutes`. */
export function humanDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    const n = ms / size;
    // Prefer "24 hours" over "1 day": mails about links read better in hours up to two days.
    if (Number.isInteger(n) && n >= 1 && !(name === 'day' && n < 3)) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return `${Math.max(1, Math.round(ms / 60_000))} minutes`;
}

const CONTENT: { [K in AuthMailKind]: (p: MailParams[K], app: string) => MailContent } = {
  'verify-email': (p, app) => ({
    subject: `Confirm your email address for ${app}`,
    paragraphs: [`Please confirm that ${p.email} is your email address.`],
    action: { label: 'Confirm my address', url: p.url },
    footer: [`The link works once and expires in ${humanDuration(p.validFor)}.`, 'If you did not create an account, you can ignore this message.'],
  }),
  'password-reset': (p, app) => ({
    subject: `Reset your ${app} password`,
    paragraphs: [`Someone, hopefully you, asked to reset the password of the account ${p.email}.`],
    action: { label: 'Choose a new password', url: p.url },
    footer: [
      `The link works once and expires in ${humanDuration(p.validFor)}.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ],
  }),
  'password-reset-notice': (p, app) => ({
    subject: `Your ${app} password was reset`,
    paragraphs: [
      `The password of ${p.email} was just reset, and every device signed in to the account was signed out.`,
      'If this was not you, reset your password again at once and tell us.',
    ],
    footer: [],
  }),
  'email-change': (p, app) => ({
    subject: `Confirm your new email address for ${app}`,
    paragraphs: [`Confirm ${p.newEmail} as the new email address of your account.`],
    action: { label: 'Confirm the new address', url: p.url },
    footer: [`The link works once and expires in ${humanDuration(p.validFor)}.`, 'If you did not ask for this, you can ignore this message.'],
  }),
  'email-change-notice': (p, app) => ({
    subject: `Your ${app} email address is being changed`,
    paragraphs: [
      `Someone signed in to your account asked to change its email address from ${p.oldEmail} to ${p.newEmail}. Nothing changes until the new address is confirmed.`,
      'If this was not you, reset your password and sign out of every device.',
    ],
    footer: [],
  }),
};

export function mailContent<K extends AuthMailKind>(kind: K, params: MailParams[K], appName: string): MailContent {
  return CONTENT[kind](params, appName);
}

/** The plain-text template. */
export function renderText(c: MailContent): string {
  const parts = [...c.paragraphs];
  if (c.action) parts.push(`${c.action.label}:\n${c.action.url}`);
  parts.push(...c.footer);
  return `${parts.join('\n\n')}\n`;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** The HTML template: one column, inline styles (mail clients ignore style sheets), every value escaped. */
export function renderHtml(c: MailContent): string {
  const p = (text: string, style = 'margin:0 0 16px') => `<p style="${style}">${escapeHtml(text)}</p>`;
  const button = c.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(c.action.url)}" style="background:#1f4fd1;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(c.action.label)}</a></p>` +
      p(`Or open this link: ${c.action.url}`, 'margin:0 0 16px;font-size:13px;color:#555;word-break:break-all')
    : '';
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">',
    '<div style="max-width:560px;margin:0 auto">',
    ...c.paragraphs.map((t) => p(t)),
    button,
    ...c.footer.map((t) => p(t, 'margin:0 0 8px;font-size:13px;color:#555')),
    '</div></body></html>',
  ].join('\n');
}
