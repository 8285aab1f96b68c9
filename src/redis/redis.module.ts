import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { createClient } from 'redis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

// A function's return type infers the client's exact generics (RESP3, no modules).
const makeClient = (url: string) =>
  createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
export type RedisClient = ReturnType<typeof makeClient>;
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * One Redis connection for the app (node-redis). Commands fail fast while disconnected (no
 * offline queue) so requests get a 503 instead of hanging; it reconnects by itself.
 */
export function createRedisClient(url: string, logger = new Logger('Redis')): RedisClient {
  const client = makeClient(url);
  let lastError = '';
  client.on('error', (err: Error) => {
    // Log each distinct failure once, not once per reconnect attempt; never the URL (it may hold a password).
    if (err.message !== lastError) logger.warn(`Redis: ${err.message}`);
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) logger.log('Redis: connected again');
    lastError = '';
  });
  return client;
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.client?.isOpen) await this.client.close();
  }
}

/** Provides `REDIS_CLIENT` (null when `REDIS_URL` is unset). */
@Global()
@Module({})
export class RedisModule {
  static forRoot(): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS_CLIENT,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig): Promise<RedisClient | null> => {
            if (!config.redisUrl) return null;
            const client = createRedisClient(config.redisUrl);
            // Not awaited: with Redis down at boot the app still starts (JWT routes work, routes
            // that need Redis answer 503) and the client keeps reconnecting in the background.
            client.connect().catch(() => undefined);
            return client;
          },
        },
        RedisLifecycle,
      ],
      exports: [REDIS_CLIENT],
    };
  }
}
