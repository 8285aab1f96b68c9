// Real-browser suite (headless Chromium through puppeteer-core): `npm run test:browser`.
// Kept apart from the root config: it needs Chromium (CI installs Debian's), and it is slow. It
// shares the root's transform and database setup (PGlite, or a throw-away database on
// DATABASE_URL) and its OpenAPI contract check on every response.
const suiteConfig = require('../utils/jest-suite-config');

module.exports = suiteConfig({
  displayName: 'browser',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/utils/contract-setup.ts'],
  // One Chromium at a time: two cores, and each browser starts several processes.
  maxWorkers: 1,
  testTimeout: 60_000,
});
