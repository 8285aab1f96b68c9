import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { contractRecorder, OpenApiContract } from './openapi-contract';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { ModuleImport } from '../../src/app/app.module';
import { createApp } from '../../src/app/app.setup';
import { AppConfig } from '../../src/app/config/app-config';
import { loadConfig } from '../../src/app/config/load-config';
import { testRedisEnv } from './test-redis';

export interface TestApp {
  app: NestExpressApplication;
  /** The Node HTTP server, for supertest. */
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  config: AppConfig;
  dataSource: DataSource;
  /** Runs raw SQL against the test database (to assert on rows). */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export const TEST_SECRETS = {
  JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
  SESSION_SECRET: 'test-session-secret-that-is-long-enough-012345',
};

/**
 * Boots the real app (same `createApp()`/`configureApp()` as main.ts) on the run's database.
 * `env` overrides configuration variables, e.g. `{ SESSION_IDLE_TTL: '2s' }`.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  imports: ModuleImport[] = [],
  options: { observe?: (req: Request, res: Response, next: NextFunction) => void } = {},
): Promise<TestApp> {
  // TEST_DATABASE_URL_OVERRIDE lets a suite reach the run's database another way (through a proxy).
  const databaseUrl = env.TEST_DATABASE_URL_OVERRIDE ?? process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('TEST_DATABASE_URL is not set: run the suites through jest (global setup)');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'nda-test-')),
    ...testRedisEnv(),
    ...TEST_SECRETS,
    // Every suite shares 127.0.0.1: throttling is off unless a test turns it on.
    LOGIN_RATE_LIMIT_PER_IP: '1000000',
    LOGIN_MAX_FAILURES: '1000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...env,
  });
  let contract: OpenApiContract | undefined;
  const recorder = contractRecorder(() => contract);
  const observe = options.observe;
  const app = await createApp(config, databaseUrl, {
    logger: false,
    imports,
    observe: observe ? (req, res, next) => observe(req, res, () => recorder(req, res, next)) : recorder,
  });
  await app.init();
  // The app's own document: every response from here on is checked against it.
  const docs = await request(app.getHttpServer()).get('/docs-json');
  if (docs.status === 200) contract = new OpenApiContract(docs.body);
  const dataSource = app.get(DataSource);
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource,
    sql: (query, params) => dataSource.query(query, params),
    close: () => app.close(),
  };
}

/** Boots an app for one test and always closes it, whatever the test does. */
export async function withTestApp(env: Record<string, string | undefined>, run: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await startTestApp(env);
  try {
    await run(t);
  } finally {
    await t.close();
  }
}
