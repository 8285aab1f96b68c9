import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { TokenService } from '../index';
import { createApp } from './app.setup';
import { trackInFlight } from './graceful-shutdown';
import { loadDotEnv } from './config/env-file';
import { AppConfig } from './config/app-config';
import { ConfigError, loadConfig } from './config/load-config';
import { EmbeddedDatabaseLockedError, openDatabase } from './embedded-db/embedded-postgres';
import { flushLogsOnCrash, ROOT_LOGGER } from './logging/logging.module';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  loadDotEnv();
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const app = await createApp(config, db.url); // from here on, Nest's Logger writes through pino
  flushLogsOnCrash(app.get(ROOT_LOGGER)); // a crash logs one fatal line and loses no buffered line
  if (config.generatedSecrets.length) {
    logger.warn(
      `${config.generatedSecrets.join(' and ')} not set: using development secrets generated once and kept in ` +
        `${config.dataDir}/dev-secrets.json. Set real values in the environment for production.`,
    );
  }
  const inFlight = trackInFlight(app);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining requests and closing pools`);
    try {
      await inFlight.drain();
      await db.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen(config.port);
  const url = `http://localhost:${(app.getHttpServer().address() as { port: number }).port}`;
  // One summary line instead of Nest's line per route (those are at debug).
  logger.log(
    [
      `nest-dual-auth listening on ${url}`,
      `database: ${db.embeddedOwner ? `embedded PostgreSQL (PGlite) in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
      `sessions and throttling counters: ${redisSummary(config.auth.redis)}`,
      `access tokens: ${app.get(TokenService).algorithm}`,
      `mail: ${config.auth.mail.smtpUrl ? 'SMTP (SMTP_URL)' : `.eml files in ${config.auth.mail.outboxDir}`}`,
      `docs: ${config.openApiEnabled ? `${url}/docs` : 'off'}`,
    ].join(' · '),
  );
}

function redisSummary(redis: AppConfig['auth']['redis']): string {
  if (!redis) return 'PostgreSQL and process memory';
  if (redis.mode === 'cluster') return `Redis Cluster (REDIS_CLUSTER_NODES, ${redis.nodes.length} seed nodes)`;
  if (redis.mode === 'sentinel') return `Redis via Sentinel (primary "${redis.name}")`;
  return 'Redis (REDIS_URL)';
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof EmbeddedDatabaseLockedError) {
    // Expected operator errors: a clear message, no stack, and never a secret's value.
    console.error(err.message);
  } else {
    console.error('Failed to start:', err instanceof Error ? `${err.name}: ${err.message}` : err);
  }
  process.exit(1);
});
