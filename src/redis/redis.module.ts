import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnection } from './redis-connection';

export { RedisConnection } from './redis-connection';
export type { RedisClient } from './redis-connection';
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/** Provides `REDIS_CONNECTION` (null when `REDIS_URL` is unset). */
@Global()
@Module({})
export class RedisModule {
  static forRoot(): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS_CONNECTION,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): RedisConnection | null =>
            config.redisUrl ? new RedisConnection(config.redisUrl, config.deadlines.redisCommandTimeoutMs) : null,
        },
        RedisLifecycle,
      ],
      exports: [REDIS_CONNECTION],
    };
  }
}
