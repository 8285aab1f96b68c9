import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { algorithmOf, splitPem } from '../auth/tokens/jwt-keyring';
import { AppConfig } from './app-config';
import { parseDuration } from './duration';

/** Thrown for invalid configuration. The message names variables, never their values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Secrets shorter than this (in bytes) are refused in production (HS256 wants ≥ 256 bits). */
export const MIN_SECRET_BYTES = 32;

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const duration = (fallback: string) =>
  optionalText.transform((v, ctx) => {
    const ms = parseDuration(v ?? fallback);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 15m, 12h or 7d' });
      return z.NEVER;
    }
    return ms;
  });

const nonNegativeDuration = (fallback: string) =>
  optionalText.transform((v, ctx) => {
    const ms = parseDuration(v ?? fallback);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 0, 10s or 1m' });
      return z.NEVER;
    }
    return ms;
  });

const integer = (fallback: number, min: number, max: number) =>
  optionalText.transform((v, ctx) => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

const boolean = optionalText.transform((v, ctx) => {
  if (v === undefined) return undefined;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'must be true or false' });
  return z.NEVER;
});

const url = (protocols: string[]) =>
  optionalText.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const list = optionalText.transform((v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Every variable of API.md § Configuration. Values arrive as strings (or not at all). */
const envSchema = z.object({
  NODE_ENV: optionalText.pipe(z.enum(['development', 'production', 'test']).default('development')),
  PORT: integer(3000, 0, 65535),
  LOG_LEVEL: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATA_DIR: optionalText.transform((v) => resolve(v ?? '.data')),
  REDIS_URL: url(['redis:', 'rediss:']),
  SESSION_SECRET: list,
  SESSION_IDLE_TTL: duration('30m'),
  SESSION_ABSOLUTE_TTL: duration('7d'),
  COOKIE_SECURE: boolean,
  JWT_SECRET: optionalText,
  JWT_PRIVATE_KEY: optionalText,
  JWT_PRIVATE_KEY_FILE: optionalText,
  JWT_PREVIOUS_PUBLIC_KEYS: optionalText,
  JWT_PREVIOUS_PUBLIC_KEYS_FILE: optionalText,
  JWT_ACCESS_TTL: duration('15m'),
  JWT_REFRESH_TTL: duration('7d'),
  JWT_REFRESH_GRACE: nonNegativeDuration('10s'),
  JWT_ISSUER: optionalText.transform((v) => v ?? 'nest-dual-auth'),
  JWT_AUDIENCE: optionalText.transform((v) => v ?? 'nest-dual-auth-api'),
  LOGIN_RATE_LIMIT_PER_IP: integer(30, 1, 1_000_000),
  LOGIN_MAX_FAILURES: integer(5, 1, 1000),
  CORS_ORIGINS: list,
  DB_QUERY_TIMEOUT: duration('3s'),
  REDIS_COMMAND_TIMEOUT: duration('1s'),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('65s'),
  HTTP_HEADERS_TIMEOUT: duration('66s'),
  HTTP_REQUEST_TIMEOUT: duration('70s'),
  TRUST_PROXY: optionalText,
});

type Env = Record<string, string | undefined>;

/**
 * Validates the environment once, at boot, and returns the typed configuration.
 * In development, missing secrets are generated once and kept in `DATA_DIR/dev-secrets.json`
 * (their names are listed in `generatedSecrets` so the caller can warn). In production a missing
 * or short secret is a `ConfigError` naming the variable.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Issue paths name the variable; zod's messages here never include the received value.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const problems: string[] = [];

  /** A PEM from `NAME` (with `\n` escapes allowed) or from the file named by `NAME_FILE`. */
  const pemFrom = (name: 'JWT_PRIVATE_KEY' | 'JWT_PREVIOUS_PUBLIC_KEYS'): string | undefined => {
    const inline = e[name]?.replace(/\\n/g, '\n');
    const file = e[`${name}_FILE`];
    if (inline || !file) return inline;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      problems.push(`${name}_FILE cannot be read`);
      return undefined;
    }
  };
  const privateKeyPem = pemFrom('JWT_PRIVATE_KEY');
  const previousPublicKeysPem = pemFrom('JWT_PREVIOUS_PUBLIC_KEYS');
  if (privateKeyPem) {
    try {
      algorithmOf(createPrivateKey(privateKeyPem));
    } catch (err) {
      problems.push(`JWT_PRIVATE_KEY is not a usable private key (${(err as Error).message.replace(/\n.*/s, '')})`);
    }
  }
  const previous = splitPem(previousPublicKeysPem ?? '');
  if (previousPublicKeysPem && previous.length === 0) problems.push('JWT_PREVIOUS_PUBLIC_KEYS holds no PEM public key');
  for (const pem of previous) {
    try {
      createPublicKey(pem);
    } catch {
      problems.push('JWT_PREVIOUS_PUBLIC_KEYS holds a key that cannot be read');
    }
  }

  if (e.DB_QUERY_TIMEOUT > 60_000) problems.push('DB_QUERY_TIMEOUT must be at most 60s');
  if (e.REDIS_COMMAND_TIMEOUT > 60_000) problems.push('REDIS_COMMAND_TIMEOUT must be at most 60s');
  if (e.HTTP_HEADERS_TIMEOUT <= e.HTTP_KEEP_ALIVE_TIMEOUT) problems.push('HTTP_HEADERS_TIMEOUT must be longer than HTTP_KEEP_ALIVE_TIMEOUT');
  if (e.HTTP_REQUEST_TIMEOUT < e.HTTP_HEADERS_TIMEOUT) problems.push('HTTP_REQUEST_TIMEOUT must be at least HTTP_HEADERS_TIMEOUT');

  const generatedSecrets: string[] = [];
  let jwtSecret = e.JWT_SECRET;
  let sessionSecrets = e.SESSION_SECRET;
  if (isProduction) {
    if (!jwtSecret) problems.push('JWT_SECRET is required in production');
    else if (Buffer.byteLength(jwtSecret) < MIN_SECRET_BYTES)
      problems.push(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes in production`);
    if (sessionSecrets.length === 0) problems.push('SESSION_SECRET is required in production');
    sessionSecrets.forEach((s, i) => {
      if (Buffer.byteLength(s) < MIN_SECRET_BYTES)
        problems.push(
          `SESSION_SECRET${sessionSecrets.length > 1 ? ` (entry ${i + 1})` : ''} must be at least ${MIN_SECRET_BYTES} bytes in production`,
        );
    });
  }
  if (problems.length) throw new ConfigError(problems);

  if (!jwtSecret || sessionSecrets.length === 0) {
    const dev = readOrCreateDevSecrets(e.DATA_DIR);
    if (!jwtSecret) {
      jwtSecret = dev.JWT_SECRET;
      generatedSecrets.push('JWT_SECRET');
    }
    if (sessionSecrets.length === 0) {
      sessionSecrets = [dev.SESSION_SECRET];
      generatedSecrets.push('SESSION_SECRET');
    }
  }

  return {
    nodeEnv: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    session: {
      secrets: sessionSecrets,
      idleTtlMs: e.SESSION_IDLE_TTL,
      absoluteTtlMs: e.SESSION_ABSOLUTE_TTL,
    },
    cookie: { secure: e.COOKIE_SECURE ?? isProduction },
    jwt: {
      secret: jwtSecret!,
      privateKeyPem,
      previousPublicKeysPem,
      accessTtlMs: e.JWT_ACCESS_TTL,
      refreshTtlMs: e.JWT_REFRESH_TTL,
      refreshGraceMs: e.JWT_REFRESH_GRACE,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    throttle: { loginPerIpPerMinute: e.LOGIN_RATE_LIMIT_PER_IP, maxFailures: e.LOGIN_MAX_FAILURES },
    deadlines: { dbQueryTimeoutMs: e.DB_QUERY_TIMEOUT, redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT },
    http: { keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT, headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT },
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    generatedSecrets,
  };
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // e.g. "loopback", "10.0.0.0/8, uniquelocal" — Express validates it
}

interface DevSecrets {
  JWT_SECRET: string;
  SESSION_SECRET: string;
}

/** Development only: secrets generated once and kept (mode 0600) so restarts keep sessions valid. */
function readOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
    if (stored.JWT_SECRET && stored.SESSION_SECRET) return stored as DevSecrets;
    throw new ConfigError([`${file} is incomplete: delete it to generate new development secrets`]);
  }
  const secrets: DevSecrets = {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    SESSION_SECRET: randomBytes(48).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': if another process (the CLI beside the server) got there first, use its secrets.
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreateDevSecrets(dataDir);
    throw err;
  }
  chmodSync(file, 0o600);
  return secrets;
}
