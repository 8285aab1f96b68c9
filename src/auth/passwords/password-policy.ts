import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** NIST SP 800-63B / OWASP: length limits and a blocklist; no composition rules; never truncated. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

let commonPasswords: Set<string> | undefined;

/** The shipped list (data/common-passwords.txt), loaded once on first use. */
function common(): Set<string> {
  if (!commonPasswords) {
    // Found from both src/ (tests) and dist/src/ (built app) by walking up to the project root.
    let dir = __dirname;
    while (!existsSync(join(dir, 'data', 'common-passwords.txt'))) {
      const parent = dirname(dir);
      if (parent === dir) throw new Error('data/common-passwords.txt not found');
      dir = parent;
    }
    const lines = readFileSync(join(dir, 'data', 'common-passwords.txt'), 'utf8').split('\n');
    commonPasswords = new Set(lines.filter((p) => p.length >= PASSWORD_MIN_LENGTH));
  }
  return commonPasswords;
}

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
