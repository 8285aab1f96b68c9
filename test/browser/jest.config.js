// Real-browser suite (headless Chromium through puppeteer-core): `npx jest -c test/browser/jest.config.js`.
// Kept apart from the root config: it needs no database (no globalSetup), and Chromium's start is slow.
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
  // One Chromium at a time: two cores, and each browser starts several processes.
  maxWorkers: 1,
  testTimeout: 60_000,
};
