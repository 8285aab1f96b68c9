// Scale-out suite: `npm run test:scale-out`, run by .ci/run after it has started the throw-away
// Redis Sentinel setup and PgBouncer of .ci/scale-out-servers.sh (TEST_REDIS_SENTINELS,
// TEST_PGBOUNCER_URL). Kept apart from the root config: it needs those servers, and a failover
// test kills the Sentinel setup's primary. Same transform and database setup as the root config.
const suiteConfig = require('../utils/jest-suite-config');

module.exports = suiteConfig({
  displayName: 'scale-out',
  testMatch: ['<rootDir>/test/scale-out/**/*.scale-spec.ts'],
  // One at a time: the failover changes the servers the other suites would use.
  maxWorkers: 1,
  testTimeout: 120_000,
});
