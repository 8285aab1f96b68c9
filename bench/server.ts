import 'reflect-metadata';
import { createApp } from '../src/app/app.setup';
import { loadConfig } from '../src/app/config/load-config';
import { StockRecipesModule } from './stock-recipes.module';

/** The benchmark server: the real app (same createApp as main.ts) plus the stock recipes. */
async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new Error('the benchmark server needs DATABASE_URL (PostgreSQL)');
  const app = await createApp(config, databaseUrl, { imports: [StockRecipesModule.forRoot(config, databaseUrl)] });
  await app.listen(config.port, '127.0.0.1');
  console.error(`BENCH_SERVER_READY ${config.port}`);
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 3000).unref(); // the stock stores' pools may linger
    void app.close().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
