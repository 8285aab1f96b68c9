import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDotEnv } from '../config/env-file';
import { loadConfig } from '../config/load-config';
import { dataSourceOptions } from './data-source.options';
import { openDatabase } from '../embedded-db/embedded-postgres';

/**
 * Entry point for the TypeORM CLI (`npm run migration:run | migration:revert | migration:generate`).
 * Same options as the app. On the embedded database it goes through the running server's socket
 * when the server is up, and otherwise opens the data folder itself (taking the lock).
 */
async function createCliDataSource(): Promise<DataSource> {
  loadDotEnv();
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, shareRunning: true });
  const dataSource = new DataSource(dataSourceOptions(db.url));
  const destroy = dataSource.destroy.bind(dataSource);
  // The CLI destroys the DataSource when done: stop the embedded server too, so the process exits.
  dataSource.destroy = async () => {
    await destroy();
    await db.close();
  };
  return dataSource;
}

export const AppDataSource = createCliDataSource();
