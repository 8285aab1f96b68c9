/** Emails are stored and compared trimmed and lower-cased (docs/API.md § Conventions). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** RFC 5321 limits a path to 254 characters; longer input is refused before any lookup. */
export const EMAIL_MAX_LENGTH = 254;

// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is not our check.
// Internationalised addresses are fine. (The OpenAPI document states the same pattern.)
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';
const EMAIL_SHAPE = new RegExp(EMAIL_PATTERN);

export function isPlausibleEmail(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && EMAIL_SHAPE.test(email);
}
