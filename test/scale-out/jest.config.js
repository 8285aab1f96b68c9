// Scale-out suite: `npm run test:scale-out`, run by .ci/run after it has started the throw-away
// Redis Sentinel setup and PgBouncer of .ci/scale-out-servers.sh (TEST_REDIS_SENTINELS,
// TEST_PGBOUNCER_URL). Kept apart from the root config: it needs those servers, and a failover
// test kills the Sentinel setup's primary. Same transform and database setup as the root config.
const root = require('../../jest.config.js');

const { testEnvironment, transform, transformIgnorePatterns, moduleFileExtensions } = root.projects.find(
  (p) => p.displayName === 'unit',
);

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'scale-out',
  testEnvironment,
  transform,
  transformIgnorePatterns,
  moduleFileExtensions,
  testMatch: ['<rootDir>/test/scale-out/**/*.scale-spec.ts'],
  globalSetup: root.globalSetup,
  globalTeardown: root.globalTeardown,
  // One at a time: the failover changes the servers the other suites would use.
  maxWorkers: 1,
  testTimeout: 120_000,
};
