import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureAuthApp, FastExpressAdapter } from 'nest-dual-auth';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, new FastExpressAdapter(), { logger: ['warn', 'error'] });
  configureAuthApp(app); // body limits, JSON-only parsing, the input gate, headers, the error filter
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  console.log(`consumer listening on ${process.env.PORT ?? 3000}`);
}
void bootstrap();
