import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadDotEnv } from '../config/env-file';
import { ConfigError, loadConfig } from '../config/load-config';
import { openDatabase } from '../embedded-db/embedded-postgres';
import { CliModule } from './cli.module';

/** A failure the user caused: printed as one line, exit code 1 (2 for usage errors). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Runs a command-line task with the same environment as the server. On the embedded database it
 * reaches a running server's PGlite through its socket (one process owns the data folder), or
 * opens the folder itself when no server is running.
 */
export async function runCli(task: (app: INestApplicationContext) => Promise<void>): Promise<void> {
  let exitCode = 0;
  try {
    loadDotEnv();
    const config = loadConfig();
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shareRunning: true });
    try {
      const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, db.url), { logger: false });
      try {
        await task(app);
      } finally {
        await app.close();
      }
    } finally {
      await db.close();
    }
  } catch (err) {
    const known = err instanceof CliError || err instanceof ConfigError;
    console.error(known ? err.message : `error: ${err instanceof Error ? err.message : String(err)}`);
    exitCode = err instanceof CliError ? err.exitCode : 1;
  }
  process.exit(exitCode);
}
