import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** NIST SP 800-63B / OWASP: length limits and a blocklist; no composition rules; never truncated. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The shipped list (`common-passwords.txt`, beside this file in the source and in the build), read
 * when this module is loaded — at boot, so a missing or unreadable file stops the process before
 * it serves anything, never at a first registration.
 */
const commonPasswords: ReadonlySet<string> = new Set(
  readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .filter((p) => p.length >= PASSWORD_MIN_LENGTH),
);

const common = () => commonPasswords;

/**
 * Returns why a password is refused, or `undefined` when it is acceptable.
 * Length counts Unicode code points, so an emoji is one character, not two.
 */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'password must be a string';
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (common().has(password) || common().has(password.toLowerCase())) {
    return 'password is too common (it appears in lists of leaked passwords); choose another';
  }
  return undefined;
}
