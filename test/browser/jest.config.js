// Real-browser suite (headless Chromium through puppeteer-core): `npm run test:browser`.
// Kept apart from the root config: it needs Chromium (CI installs Debian's), and it is slow. It
// shares the root's database setup (PGlite, or a throw-away database on DATABASE_URL) and its
// OpenAPI contract check on every response.
// The transform is the root config's own, taken from it so the two cannot drift apart.
const root = require('../../jest.config.js');

const { testEnvironment, transform, transformIgnorePatterns, moduleFileExtensions } = root.projects.find(
  (p) => p.displayName === 'unit',
);

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'browser',
  testEnvironment,
  transform,
  transformIgnorePatterns,
  moduleFileExtensions,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  globalSetup: root.globalSetup,
  globalTeardown: root.globalTeardown,
  setupFilesAfterEnv: ['<rootDir>/test/utils/contract-setup.ts'],
  // One Chromium at a time: two cores, and each browser starts several processes.
  maxWorkers: 1,
  testTimeout: 60_000,
};
