import type { AuthModuleOptions, AuthOptions, HttpTimeouts } from '../../index';

/** The standalone app's validated, typed configuration. Built once at boot by `loadConfig()`. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `pretty` (pino-pretty) on a terminal in development, else `json` (`LOG_FORMAT`). */
  logFormat: 'json' | 'pretty';
  /** Unset → the embedded PGlite database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Deadline on every PostgreSQL query and pool checkout (`DB_QUERY_TIMEOUT`). */
  dbQueryTimeoutMs: number;
  http: HttpTimeouts;
  /** Express `trust proxy` value, already parsed (false when unset). */
  trustProxy: boolean | number | string;
  /** Serve `/docs` and `/docs-json` (`OPENAPI_ENABLED`; default: not in production). */
  openApiEnabled: boolean;
  /** Mount the `/examples/*` demo routes (`EXAMPLES_ENABLED`; default: not in production). */
  examplesEnabled: boolean;
  /** What `AuthModule` is given (built from the environment) … */
  authOptions: AuthModuleOptions;
  /** … and the same, as the module validated it. */
  auth: AuthOptions;
  /** Names of secrets that were generated for development (for the boot warning). */
  generatedSecrets: string[];
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
