/** The messages the module sends. */
export type AuthMailKind = 'verify-email' | 'password-reset' | 'password-reset-notice' | 'email-change' | 'email-change-notice';

/** One message, composed: both bodies come from one template (mail-templates.ts). */
export interface AuthMail {
  kind: AuthMailKind;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Where mail goes. Built in: SMTP (`mail.smtpUrl`) and, in development, `.eml` files. A host
 * can pass its own (`mail.transport`) — an API-based provider, a queue. `send` resolves once the
 * message is accepted and rejects when it was not; the module retries a few times.
 */
export interface AuthMailTransport {
  send(mail: AuthMail): Promise<void>;
  /** Called on shutdown, after pending messages are through. */
  close?(): Promise<void> | void;
}
