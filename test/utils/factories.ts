import { randomBytes } from 'node:crypto';

/** A unique email per call, so suites sharing one database never collide. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}@example.com`;
}

export const GOOD_PASSWORD = 'correct horse battery staple';
