import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { Logger } from 'pino';
import { createApp } from '../src/app/app.setup';
import { loadConfig } from '../src/app/config/load-config';
import { ROOT_LOGGER } from '../src/app/logging/logging.module';
import { StockRecipesModule } from './stock-recipes.module';
import { VariantsModule } from './variants.module';

/** The yardstick: what any NestJS 12 (Express 5) app pays per request, with nothing of ours in it. */
@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { ok: true };
  }
}
@Module({ controllers: [HelloController] })
class BareModule {}

/**
 * The benchmark server: the real app (same createApp as main.ts) plus the stock recipes, and on a
 * second port (BENCH_BARE_PORT) a bare Nest app in the same process, so its CPU per request is
 * measured by the same /proc counter as every case.
 *
 * The runner may switch the log level while the server runs (a `{ logLevel }` message on the IPC
 * channel, answered once it applies), so request logging's cost is measured in one process: the
 * same route at `info` and at `silent`, in alternating rounds. A `{ gc: true }` message runs a full
 * garbage collection first, when the server was started with `--expose-gc`; `{ profile: 'start' }` and
 * `{ profile: 'stop', file }` run V8's CPU profiler and write what it sampled (`npm run bench:profile`).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new Error('the benchmark server needs DATABASE_URL (PostgreSQL)');
  const app = await createApp(config, databaseUrl, { imports: [StockRecipesModule.forRoot(config, databaseUrl), VariantsModule] });
  await app.listen(config.port, '127.0.0.1');
  const bare = await NestFactory.create(BareModule, { logger: false });
  await bare.listen(Number(process.env.BENCH_BARE_PORT), '127.0.0.1');
  const root = app.get<Logger>(ROOT_LOGGER);
  const profiler = new Session();
  process.on('message', async (message: { logLevel?: string; gc?: boolean; profile?: 'start' | 'stop'; file?: string }) => {
    if (message.logLevel) root.level = message.logLevel;
    // `npm run bench:instructions` starts every counted round from a collected heap (--expose-gc).
    if (message.gc) globalThis.gc?.();
    // `npm run bench:profile`: V8's sampling profiler over the measured load only (every 50 µs).
    if (message.profile === 'start') {
      profiler.connect();
      await inspect(profiler, 'Profiler.enable');
      await inspect(profiler, 'Profiler.setSamplingInterval', { interval: 50 });
      await inspect(profiler, 'Profiler.start');
    }
    if (message.profile === 'stop') {
      const { profile } = (await inspect(profiler, 'Profiler.stop')) as { profile: object };
      profiler.disconnect();
      writeFileSync(message.file!, JSON.stringify(profile));
    }
    process.send?.({ logLevel: root.level });
  });
  console.error(`BENCH_SERVER_READY ${config.port}`);
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 3000).unref(); // the stock stores' pools may linger
    void Promise.all([app.close(), bare.close()]).finally(() => process.exit(0));
  });
}

/** One call to the inspector protocol, as a promise. */
function inspect(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
