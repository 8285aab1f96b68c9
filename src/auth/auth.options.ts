import { AuthStrategyName } from './auth.types';

/** Options of `AuthModule.forRoot()`; everything defaults from the app configuration. */
export interface AuthModuleOptions {
  /** Strategies for routes with no `@Auth()` / `@Public()`. Default: session then JWT. */
  defaultStrategies?: AuthStrategyName[];
  /** Register the global guard (deny by default). Turn off to use `@UseGuards(...)` only. */
  globalGuard?: boolean;
}

export const AUTH_MODULE_OPTIONS = Symbol('AUTH_MODULE_OPTIONS');
