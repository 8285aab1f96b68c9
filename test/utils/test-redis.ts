/**
 * The Redis the e2e suites run against, from the run's environment (set by .ci/run):
 * TEST_REDIS_URL (one node), TEST_REDIS_CLUSTER_NODES (a cluster) or TEST_REDIS_SENTINELS +
 * TEST_REDIS_SENTINEL_NAME (a Sentinel-managed primary). None: sessions in the database.
 */
export function testRedisEnv(): Record<string, string | undefined> {
  return {
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_CLUSTER_NODES: process.env.TEST_REDIS_CLUSTER_NODES,
    REDIS_SENTINELS: process.env.TEST_REDIS_SENTINELS,
    REDIS_SENTINEL_NAME: process.env.TEST_REDIS_SENTINELS ? process.env.TEST_REDIS_SENTINEL_NAME : undefined,
  };
}

/** A name for the run's session backend, for test titles. */
export const testSessionBackend = (): string =>
  process.env.TEST_REDIS_CLUSTER_NODES ? 'Redis Cluster' : process.env.TEST_REDIS_SENTINELS ? 'Redis (Sentinel)' : process.env.TEST_REDIS_URL ? 'Redis' : 'the database';

export const hasTestRedis = (): boolean => testSessionBackend() !== 'the database';

/** Overrides that take Redis away from one app, whatever the run's mode. */
export const NO_REDIS = { REDIS_URL: undefined, REDIS_CLUSTER_NODES: undefined, REDIS_SENTINELS: undefined, REDIS_SENTINEL_NAME: undefined };
