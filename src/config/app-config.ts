/** The validated, typed configuration. Built once at boot by `loadConfig()`; never re-read. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Unset → the embedded PGlite database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  redisUrl?: string;
  session: {
    /** First secret signs; all of them verify (rotation). */
    secrets: string[];
    idleTtlMs: number;
    absoluteTtlMs: number;
  };
  cookie: { secure: boolean };
  jwt: {
    secret: string;
    privateKeyPem?: string;
    /** PEM public keys still accepted after a key rotation (asymmetric mode). */
    previousPublicKeysPem?: string;
    accessTtlMs: number;
    refreshTtlMs: number;
    refreshGraceMs: number;
    issuer: string;
    audience: string;
  };
  throttle: { loginPerIpPerMinute: number; maxFailures: number };
  /** Client-side deadlines on every dependency call (a hung dependency becomes a prompt 503). */
  deadlines: { dbQueryTimeoutMs: number; redisCommandTimeoutMs: number };
  /** Node HTTP server timeouts (keep-alive longer than a load balancer's idle timeout). */
  http: { keepAliveTimeoutMs: number; headersTimeoutMs: number; requestTimeoutMs: number };
  corsOrigins: string[];
  /** Express `trust proxy` value, already parsed (false when unset). */
  trustProxy: boolean | number | string;
  /** Names of secrets that were generated for development (for the boot warning). */
  generatedSecrets: string[];
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
