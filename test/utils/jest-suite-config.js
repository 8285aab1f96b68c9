// The shared part of the suites kept apart from `npm test` (test/browser, test/scale-out): the root
// config's own transform and database setup, taken from it so they cannot drift apart.
const root = require('../../jest.config.js');

const { testEnvironment, transform, transformIgnorePatterns, moduleFileExtensions } = root.projects.find(
  (p) => p.displayName === 'unit',
);

/** @param {import('jest').Config} own @returns {import('jest').Config} */
module.exports = (own) => ({
  rootDir: '../..',
  testEnvironment,
  transform,
  transformIgnorePatterns,
  moduleFileExtensions,
  globalSetup: root.globalSetup,
  globalTeardown: root.globalTeardown,
  ...own,
});
