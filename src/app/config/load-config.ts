import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AuthModuleOptions, AuthOptionsError, parseDuration, resolveAuthOptions } from '../../index';
import { AppConfig } from './app-config';

/** Thrown for invalid configuration. The message names variables, never their values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The environment variable behind each of the auth module's options, for messages. */
const ENV_OF: Record<string, string> = {
  production: 'NODE_ENV',
  'jwt.secret': 'JWT_SECRET',
  'jwt.privateKey': 'JWT_PRIVATE_KEY',
  'jwt.previousPublicKeys': 'JWT_PREVIOUS_PUBLIC_KEYS',
  'jwt.nextPublicKeys': 'JWT_NEXT_PUBLIC_KEYS',
  'jwt.accessTtl': 'JWT_ACCESS_TTL',
  'jwt.refreshTtl': 'JWT_REFRESH_TTL',
  'jwt.refreshGrace': 'JWT_REFRESH_GRACE',
  'jwt.issuer': 'JWT_ISSUER',
  'jwt.audience': 'JWT_AUDIENCE',
  'session.secrets': 'SESSION_SECRET',
  'session.idleTtl': 'SESSION_IDLE_TTL',
  'session.absoluteTtl': 'SESSION_ABSOLUTE_TTL',
  'cookies.secure': 'COOKIE_SECURE',
  'cookies.sameSite': 'COOKIE_SAMESITE',
  'cookies.partitioned': 'COOKIE_PARTITIONED',
  shortSignInTtl: 'SIGNIN_SHORT_TTL',
  'throttle.loginPerIpPerMinute': 'LOGIN_RATE_LIMIT_PER_IP',
  'throttle.maxFailures': 'LOGIN_MAX_FAILURES',
  'redis.url': 'REDIS_URL',
  'redis.clusterNodes': 'REDIS_CLUSTER_NODES',
  'redis.sentinels': 'REDIS_SENTINELS',
  'redis.sentinelName': 'REDIS_SENTINEL_NAME',
  redis: 'REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS:',
  'redis.commandTimeout': 'REDIS_COMMAND_TIMEOUT',
  corsOrigins: 'CORS_ORIGINS',
  'mail.smtpUrl': 'SMTP_URL',
  'mail.from': 'MAIL_FROM',
  'mail.appUrl': 'APP_URL',
  'lifecycle.emailVerificationTtl': 'EMAIL_VERIFICATION_TTL',
  'lifecycle.passwordResetTtl': 'PASSWORD_RESET_TTL',
  'lifecycle.emailChangeTtl': 'EMAIL_CHANGE_TTL',
  'lifecycle.requireVerifiedEmail': 'REQUIRE_VERIFIED_EMAIL',
  'lifecycle.freshFor': 'FRESH_AUTH_MAX_AGE',
  'throttle.passwordResetPerEmail': 'PASSWORD_RESET_PER_EMAIL',
  'throttle.mailPerUser': 'MAIL_PER_USER',
  'apiKeys.maxTtl': 'API_KEY_MAX_TTL',
};
const envOf = (path: string) => ENV_OF[path] ?? ENV_OF[path.replace(/\.\d+$/, '')] ?? path;

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

/**
 * The standalone app's own variables; the auth module's (secrets, lifetimes, throttling, Redis,
 * CORS …) are passed through as text and validated by the module itself, with these names.
 */
const envSchema = z.object({
  NODE_ENV: optionalText.pipe(z.enum(['development', 'production', 'test']).default('development')),
  PORT: integer(3000, 0, 65535),
  LOG_LEVEL: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  LOG_FORMAT: optionalText.pipe(z.enum(['auto', 'json', 'pretty']).default('auto')),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATA_DIR: optionalText.transform((v) => resolve(v ?? '.data')),
  REDIS_URL: url(['redis:', 'rediss:']),
  // `host:port` or `redis://…` URLs, comma-separated; checked by the module.
  REDIS_CLUSTER_NODES: list,
  REDIS_SENTINELS: list,
  REDIS_SENTINEL_NAME: optionalText,
  COOKIE_SECURE: boolean,
  COOKIE_SAMESITE: optionalText.pipe(z.enum(['lax', 'strict', 'none']).optional()),
  COOKIE_PARTITIONED: boolean,
  TRUST_PROXY: optionalText,
  DB_QUERY_TIMEOUT: duration('3s'),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('65s'),
  HTTP_HEADERS_TIMEOUT: duration('66s'),
  HTTP_REQUEST_TIMEOUT: duration('70s'),
  ALLOW_EMBEDDED_DB_IN_PRODUCTION: boolean,
  OPENAPI_ENABLED: boolean,
  EXAMPLES_ENABLED: boolean,
  CORS_ORIGINS: list,
  SESSION_SECRET: list,
  SMTP_URL: url(['smtp:', 'smtps:']),
  APP_URL: url(['http:', 'https:']),
  REQUIRE_VERIFIED_EMAIL: boolean,
});

type Env = Record<string, string | undefined>;

/** `host:port` is short for `redis://host:port`. */
const redisAddress = (v: string) => (/^[a-z]+:\/\//i.test(v) ? v : `redis://${v}`);

/** REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (+ REDIS_SENTINEL_NAME): the module says when more than one is set. */
function redisOptions(e: z.infer<typeof envSchema> | undefined, commandTimeout: string | undefined): AuthModuleOptions['redis'] {
  if (!e) return null;
  const clusterNodes = e.REDIS_CLUSTER_NODES.length ? e.REDIS_CLUSTER_NODES.map(redisAddress) : undefined;
  const sentinels = e.REDIS_SENTINELS.length ? e.REDIS_SENTINELS.map(redisAddress) : undefined;
  if (!e.REDIS_URL && !clusterNodes && !sentinels && !e.REDIS_SENTINEL_NAME) return null;
  return { url: e.REDIS_URL, clusterNodes, sentinels, sentinelName: e.REDIS_SENTINEL_NAME, commandTimeout };
}

/** Every variable the app reads (its own and the module's), for the documentation checks. */
export function configVariables(): string[] {
  const files = ['JWT_PRIVATE_KEY_FILE', 'JWT_PREVIOUS_PUBLIC_KEYS_FILE', 'JWT_NEXT_PUBLIC_KEYS_FILE', 'MAIL_FROM'];
  return [...new Set([...Object.keys(envSchema.shape), ...Object.values(ENV_OF).filter((v) => /^[A-Z0-9_]+$/.test(v)), ...files])].sort();
}

/**
 * Validates the environment once, at boot, and returns the typed configuration: the app's own
 * settings and the auth module's options (validated by the module, problems named by variable).
 * In development, missing secrets are generated once and kept in `DATA_DIR/dev-secrets.json`
 * (their names are listed in `generatedSecrets` so the caller can warn). In production a missing
 * or short secret is a `ConfigError` naming the variable.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Issue paths name the variable; zod's messages here never include the received value.
    problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  }
  const e = parsed.success ? parsed.data : undefined;
  const isProduction = (env.NODE_ENV ?? '').trim() === 'production';
  const text = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);

  /** A PEM from `NAME` (with `\n` escapes allowed) or from the file named by `NAME_FILE`. */
  const pemFrom = (name: 'JWT_PRIVATE_KEY' | 'JWT_PREVIOUS_PUBLIC_KEYS' | 'JWT_NEXT_PUBLIC_KEYS'): string | undefined => {
    const inline = text(name);
    const file = text(`${name}_FILE`);
    if (inline || !file) return inline;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      problems.push(`${name}_FILE cannot be read`);
      return undefined;
    }
  };

  const generatedSecrets: string[] = [];
  let jwtSecret = text('JWT_SECRET');
  let sessionSecrets = e?.SESSION_SECRET ?? [];
  if (isProduction) {
    if (!jwtSecret) problems.push('JWT_SECRET is required in production');
    if (sessionSecrets.length === 0) problems.push('SESSION_SECRET is required in production');
    if (!text('SMTP_URL')) problems.push('SMTP_URL is required in production: without it, mail (verification, password reset) is only written to files');
  } else if ((!jwtSecret || sessionSecrets.length === 0) && e) {
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
  const number = (name: string) => (text(name) === undefined ? undefined : Number(text(name)));

  const authOptions: AuthModuleOptions = {
    production: isProduction,
    jwt: {
      secret: jwtSecret ?? '',
      privateKey: pemFrom('JWT_PRIVATE_KEY'),
      previousPublicKeys: pemFrom('JWT_PREVIOUS_PUBLIC_KEYS'),
      nextPublicKeys: pemFrom('JWT_NEXT_PUBLIC_KEYS'),
      accessTtl: text('JWT_ACCESS_TTL'),
      refreshTtl: text('JWT_REFRESH_TTL'),
      refreshGrace: text('JWT_REFRESH_GRACE'),
      issuer: text('JWT_ISSUER'),
      audience: text('JWT_AUDIENCE'),
    },
    session: { secrets: sessionSecrets, idleTtl: text('SESSION_IDLE_TTL'), absoluteTtl: text('SESSION_ABSOLUTE_TTL') },
    cookies: { secure: e?.COOKIE_SECURE, sameSite: e?.COOKIE_SAMESITE, partitioned: e?.COOKIE_PARTITIONED },
    shortSignInTtl: text('SIGNIN_SHORT_TTL'),
    throttle: {
      loginPerIpPerMinute: number('LOGIN_RATE_LIMIT_PER_IP'),
      maxFailures: number('LOGIN_MAX_FAILURES'),
      passwordResetPerEmail: number('PASSWORD_RESET_PER_EMAIL'),
      mailPerUser: number('MAIL_PER_USER'),
    },
    redis: redisOptions(e, text('REDIS_COMMAND_TIMEOUT')),
    corsOrigins: e?.CORS_ORIGINS ?? [],
    // Without SMTP_URL (development), mail is written to DATA_DIR/outbox; production requires it.
    mail: { smtpUrl: e?.SMTP_URL, from: text('MAIL_FROM'), appUrl: e?.APP_URL, outboxDir: e ? join(e.DATA_DIR, 'outbox') : undefined },
    apiKeys: { maxTtl: text('API_KEY_MAX_TTL') },
    lifecycle: {
      emailVerificationTtl: text('EMAIL_VERIFICATION_TTL'),
      passwordResetTtl: text('PASSWORD_RESET_TTL'),
      emailChangeTtl: text('EMAIL_CHANGE_TTL'),
      requireVerifiedEmail: e?.REQUIRE_VERIFIED_EMAIL,
      freshFor: text('FRESH_AUTH_MAX_AGE'),
    },
  };
  let auth: AppConfig['auth'] | undefined;
  try {
    auth = resolveAuthOptions(authOptions, { nameOf: envOf });
  } catch (err) {
    if (!(err instanceof AuthOptionsError)) throw err;
    // A variable already reported (missing in production) is not reported twice.
    const reported = new Set(problems.map((p) => p.split(' ')[0]));
    problems.push(...err.problems.filter((p) => !reported.has(p.split(' ')[0])));
  }
  if (e) {
    if (isProduction && !e.DATABASE_URL && !e.ALLOW_EMBEDDED_DB_IN_PRODUCTION) {
      problems.push(
        'DATABASE_URL is required in production: the embedded database is one process, for development ' +
          '(set ALLOW_EMBEDDED_DB_IN_PRODUCTION=true to run on it anyway)',
      );
    }
    if (e.DB_QUERY_TIMEOUT > 60_000) problems.push('DB_QUERY_TIMEOUT must be at most 60s');
    if (e.HTTP_HEADERS_TIMEOUT <= e.HTTP_KEEP_ALIVE_TIMEOUT) problems.push('HTTP_HEADERS_TIMEOUT must be longer than HTTP_KEEP_ALIVE_TIMEOUT');
    if (e.HTTP_REQUEST_TIMEOUT < e.HTTP_HEADERS_TIMEOUT) problems.push('HTTP_REQUEST_TIMEOUT must be at least HTTP_HEADERS_TIMEOUT');
  }
  if (problems.length || !e || !auth) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    // Readable lines for a person at a terminal in development; JSON for everything else.
    logFormat: e.LOG_FORMAT === 'auto' ? (process.stdout.isTTY && !isProduction ? 'pretty' : 'json') : e.LOG_FORMAT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    dbQueryTimeoutMs: e.DB_QUERY_TIMEOUT,
    http: { keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT, headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    openApiEnabled: e.OPENAPI_ENABLED ?? !isProduction,
    examplesEnabled: e.EXAMPLES_ENABLED ?? !isProduction,
    authOptions,
    auth,
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
