import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { AuthStrategy, AuthStrategyName } from './auth.types';
import { parseDuration } from './shared/duration';
import { algorithmOf, splitPem } from './tokens/jwt-keyring';
import type { AuthMailTransport } from './mail/mail.types';

/** A duration: milliseconds, or a string such as `'15m'`, `'7d'`, `'10s'`, `'500ms'`. */
export type Duration = number | string;

/**
 * Everything `AuthModule` needs, from whatever configuration source the host uses (the
 * standalone app builds it from environment variables; a host might use `@nestjs/config`).
 * Validated once, when the module is created: a bad value stops the boot with a message naming
 * the option, never its value.
 */
export interface AuthModuleOptions {
  /** Production rules: secrets of at least 32 bytes, `Secure` cookies by default. Default `false`. */
  production?: boolean;
  jwt: {
    /** HS256 key, and the key of the refresh-token successor HMAC in every mode. */
    secret: string;
    /** PEM private key (Ed25519 → EdDSA, EC P-256 → ES256, RSA ≥ 2048 bits → RS256) instead of HS256. */
    privateKey?: string;
    /** PEM public keys still accepted and published after a key rotation. */
    previousPublicKeys?: string;
    /**
     * PEM public keys published (and accepted) *before* a rotation: the private key that will
     * sign next. JWKS consumers cache keys; publishing ahead means none rejects the first tokens.
     */
    nextPublicKeys?: string;
    /** Default `15m`. */
    accessTtl?: Duration;
    /** A sign-in's absolute lifetime. Default `7d`. */
    refreshTtl?: Duration;
    /** Window in which a just-answered refresh may be replayed. Default `10s`; `0` disables replay. */
    refreshGrace?: Duration;
    issuer?: string;
    audience?: string;
  };
  session: {
    /** Cookie signing secret(s): the first signs, all verify (rotation). */
    secrets: string | string[];
    /** Default `30m` (sliding). */
    idleTtl?: Duration;
    /** Default `7d`. */
    absoluteTtl?: Duration;
  };
  cookies?: {
    /** `Secure` and the `__Host-` / `__Secure-` name prefixes. Default: `production`. */
    secure?: boolean;
    /**
     * `lax` (default): same-site apps only. `strict`: not even top-level navigations from other
     * sites carry them. `none`: cross-site apps (an SPA on another site); needs `secure`.
     */
    sameSite?: 'lax' | 'strict' | 'none';
    /** Adds `Partitioned` (CHIPS): cross-site cookies that browsers blocking third-party cookies still keep. */
    partitioned?: boolean;
  };
  /** A sign-in's absolute lifetime when the user did not ask to be remembered (`rememberMe: false`). Default `12h`. */
  shortSignInTtl?: Duration;
  throttle?: {
    /** Login, token, register, refresh and account-recovery requests a minute per client IP. Default 30. */
    loginPerIpPerMinute?: number;
    /** Failed attempts per account in 15 minutes before back-off. Default 5. */
    maxFailures?: number;
    /** Password-reset requests per (normalised) email address in 15 minutes, known or not. Default 5. */
    passwordResetPerEmail?: number;
    /** Mails a signed-in user can have sent (verification resends, email-change requests) in 15 minutes. Default 5. */
    mailPerUser?: number;
  };
  /**
   * Redis for sessions and throttling counters (shared by every instance). Without it, sessions
   * live in PostgreSQL and counters in process memory. Exactly one of three modes:
   * - `url`: one node (`redis://` or `rediss://`);
   * - `clusterNodes`: a Redis Cluster, given by a few of its nodes (URLs);
   * - `sentinels` + `sentinelName`: the primary that these Sentinels name (URLs of the Sentinels).
   * In the last two modes the first URL's credentials and TLS (`rediss:`) apply to every connection.
   */
  redis?: {
    url?: string;
    clusterNodes?: string[];
    sentinels?: string[];
    /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
    sentinelName?: string;
    /** Deadline for one Redis call, reply included. Default `1s`. */
    commandTimeout?: Duration;
  } | null;
  /** Origins allowed to call with credentials (CORS). Default none. */
  corsOrigins?: string[];
  /**
   * Mail for the account lifecycle (verification, password reset, email change). One of
   * `smtpUrl` or `transport` is required in production; without either, development writes each
   * message as an `.eml` file in `outboxDir`.
   */
  mail?: {
    /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
    smtpUrl?: string;
    /** A transport of the host's own (an API-based provider, a queue): it receives each composed message. */
    transport?: AuthMailTransport;
    /** Where messages go without SMTP (development). Default `.data/outbox` under the working directory. */
    outboxDir?: string;
    /** The `From` of every message. Default `nest-dual-auth <no-reply@localhost>`. */
    from?: string;
    /** Base of the links in mails: `<appUrl>/verify-email?token=…`. Default `http://localhost:3000`. */
    appUrl?: string;
  };
  apiKeys?: {
    /**
     * The longest lifetime a key may have; a key created without `expiresIn` gets it. `0`: no
     * maximum (keys without `expiresIn` never expire). Default `365d`.
     */
    maxTtl?: Duration;
  };
  /** Email verification, password reset, email change, freshness. */
  lifecycle?: {
    /** Default `24h`. */
    emailVerificationTtl?: Duration;
    /** Default `30m`. */
    passwordResetTtl?: Duration;
    /** Default `24h`. */
    emailChangeTtl?: Duration;
    /** Refuse logins of users whose email is not verified (`403 email_unverified`). Default `false`. */
    requireVerifiedEmail?: boolean;
    /**
     * How recent the last authentication must be for the built-in sensitive routes (email change,
     * account deletion, API-key creation). Default `10m`.
     */
    freshFor?: Duration;
  };
}

/** The validated, normalised options every provider reads (`@Inject(AUTH_OPTIONS)`). */
export interface AuthOptions {
  production: boolean;
  session: { secrets: string[]; idleTtlMs: number; absoluteTtlMs: number };
  cookie: { secure: boolean; sameSite: 'lax' | 'strict' | 'none'; partitioned: boolean };
  shortSignInTtlMs: number;
  jwt: {
    secret: string;
    privateKeyPem?: string;
    previousPublicKeysPem?: string;
    nextPublicKeysPem?: string;
    accessTtlMs: number;
    refreshTtlMs: number;
    refreshGraceMs: number;
    issuer: string;
    audience: string;
  };
  throttle: { loginPerIpPerMinute: number; maxFailures: number; passwordResetPerEmail: number; mailPerUser: number };
  redis: ({ mode: 'single'; url: string } | { mode: 'cluster'; nodes: string[] } | { mode: 'sentinel'; sentinels: string[]; name: string }) & {
    commandTimeoutMs: number;
  } | null;
  corsOrigins: string[];
  mail: { smtpUrl?: string; transport?: AuthMailTransport; outboxDir: string; from: string; appUrl: string };
  /** `maxTtlMs` 0: no maximum. */
  apiKeys: { maxTtlMs: number };
  lifecycle: {
    emailVerificationTtlMs: number;
    passwordResetTtlMs: number;
    emailChangeTtlMs: number;
    requireVerifiedEmail: boolean;
    freshForMs: number;
  };
}

/**
 * Options fixed when the module is imported (they shape the module graph, so they cannot come
 * from an async factory): which built-in routes to mount and where, and the global guard.
 */
export interface AuthModuleRouting {
  /**
   * The built-in endpoints, mounted under `prefix` (default `'auth'`: `/auth/session/login` …).
   * Each group can be left out; `/.well-known/jwks.json` is never prefixed.
   */
  routes?: {
    prefix?: string;
    /** `POST register`. */
    registration?: boolean;
    /** `POST session/login`, `POST session/logout`, `GET csrf`. */
    session?: boolean;
    /** `POST token`, `token/refresh`, `token/revoke`. */
    token?: boolean;
    /** `GET`/`PATCH`/`DELETE me`, the sign-in ledger (`sessions…`), `POST password` and `POST reauthenticate`. */
    account?: boolean;
    /** What mails a link: `email/verify` (+ `resend`), `password/forgot`, `password/reset`, `email` and `email/confirm`. */
    lifecycle?: boolean;
    /** `POST`/`GET api-keys`, `DELETE api-keys/:id`. */
    apiKeys?: boolean;
    /** `GET /.well-known/jwks.json`. */
    jwks?: boolean;
  };
  /** Register the global deny-by-default guard. Default `true`; turn off to use `@UseGuards(...)` only. */
  globalGuard?: boolean;
  /** Strategies for routes with neither `@Auth()` nor `@Public()`. Default: session, then JWT. */
  defaultStrategies?: AuthStrategyName[];
}

export type ResolvedRouting = Required<Omit<AuthModuleRouting, 'routes'>> & { routes: Required<NonNullable<AuthModuleRouting['routes']>> };

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export const AUTH_ROUTING = Symbol('AUTH_ROUTING');

/** Secrets shorter than this (in bytes) are refused in production (HS256 wants ≥ 256 bits). */
export const MIN_SECRET_BYTES = 32;

/** Thrown for invalid options. The message names options (or the host's names for them), never values. */
export class AuthOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AuthOptionsError';
  }
}

const duration = (fallback: string, { zeroAllowed = false } = {}) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      const ms = typeof v === 'number' ? v : parseDuration(v ?? fallback);
      if (ms === undefined || !Number.isSafeInteger(ms) || ms < 0 || (!zeroAllowed && ms === 0)) {
        ctx.addIssue({ code: 'custom', message: `must be a duration such as ${zeroAllowed ? '0, 10s or 1m' : '30s, 15m, 12h or 7d'}` });
        return z.NEVER;
      }
      return ms;
    });

const integer = (fallback: number, min: number, max: number) =>
  z
    .number({ message: `must be an integer from ${min} to ${max}` })
    .int({ message: `must be an integer from ${min} to ${max}` })
    .min(min, { message: `must be an integer from ${min} to ${max}` })
    .max(max, { message: `must be an integer from ${min} to ${max}` })
    .optional()
    .transform((v) => v ?? fallback);

const text = z.string({ message: 'must be a string' });

const redisUrl = text.refine((v) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'must be a URL starting with redis:// or rediss://');

const schema = z.object({
  production: z.boolean().optional().transform((v) => v ?? false),
  jwt: z.object({
    secret: text.min(1, 'is required'),
    privateKey: text.optional(),
    previousPublicKeys: text.optional(),
    nextPublicKeys: text.optional(),
    accessTtl: duration('15m'),
    refreshTtl: duration('7d'),
    refreshGrace: duration('10s', { zeroAllowed: true }),
    issuer: text.min(1).optional().transform((v) => v ?? 'nest-dual-auth'),
    audience: text.min(1).optional().transform((v) => v ?? 'nest-dual-auth-api'),
  }),
  session: z.object({
    secrets: z.union([text, z.array(text)]).transform((v) => (Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter(Boolean)),
    idleTtl: duration('30m'),
    absoluteTtl: duration('7d'),
  }),
  cookies: z
    .object({ secure: z.boolean().optional(), sameSite: z.enum(['lax', 'strict', 'none']).optional(), partitioned: z.boolean().optional() })
    .optional()
    .transform((v) => v ?? {}),
  shortSignInTtl: duration('12h'),
  throttle: z
    .object({
      loginPerIpPerMinute: integer(30, 1, 1_000_000),
      maxFailures: integer(5, 1, 1000),
      passwordResetPerEmail: integer(5, 1, 1000),
      mailPerUser: integer(5, 1, 1000),
    })
    .optional()
    .transform((v) => v ?? { loginPerIpPerMinute: 30, maxFailures: 5, passwordResetPerEmail: 5, mailPerUser: 5 }),
  redis: z
    .object({
      url: redisUrl.optional(),
      clusterNodes: z.array(redisUrl).min(1, 'needs at least one node').optional(),
      sentinels: z.array(redisUrl).min(1, 'needs at least one Sentinel').optional(),
      sentinelName: text.min(1, 'is required').optional(),
      commandTimeout: duration('1s'),
    })
    .refine((r) => [r.url, r.clusterNodes, r.sentinels].filter((v) => v !== undefined).length === 1, {
      message: 'set exactly one: a single node (url), a cluster (clusterNodes) or Sentinels (sentinels)',
    })
    .refine((r) => (r.sentinels === undefined) === (r.sentinelName === undefined), {
      message: 'sentinels and sentinelName go together',
      path: ['sentinelName'],
    })
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  corsOrigins: z.array(text).optional().transform((v) => v ?? []),
  mail: z
    .object({
      smtpUrl: text.refine(isUrlOf(['smtp:', 'smtps:']), 'must be a URL starting with smtp:// or smtps://').optional(),
      transport: z
        .custom<AuthMailTransport>((v) => typeof (v as AuthMailTransport | undefined)?.send === 'function', 'must be an object with a send(mail) method')
        .optional(),
      outboxDir: text.min(1).optional(),
      from: text.min(3).refine((v) => /@/.test(v) && !/[\r\n]/.test(v), 'must be an address such as "App <no-reply@example.com>"').optional(),
      appUrl: text.refine(isUrlOf(['http:', 'https:']), 'must be a URL starting with http:// or https://').optional(),
    })
    .optional()
    .transform((v) => v ?? {}),
  apiKeys: z
    .object({ maxTtl: duration('365d', { zeroAllowed: true }) })
    .optional()
    .transform((v) => v ?? { maxTtl: 365 * 86_400_000 }),
  lifecycle: z
    .object({
      emailVerificationTtl: duration('24h'),
      passwordResetTtl: duration('30m'),
      emailChangeTtl: duration('24h'),
      requireVerifiedEmail: z.boolean().optional().transform((v) => v ?? false),
      freshFor: duration('10m'),
    })
    .optional()
    .transform((v) => v ?? { emailVerificationTtl: 86_400_000, passwordResetTtl: 1_800_000, emailChangeTtl: 86_400_000, requireVerifiedEmail: false, freshFor: 600_000 }),
});

function isUrlOf(protocols: string[]): (v: string) => boolean {
  return (v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  };
}

export interface ResolveOptions {
  /** Names to use for options in messages (the standalone app maps them to environment variables). */
  nameOf?: (path: string) => string;
}

/** Validates and normalises the options; throws `AuthOptionsError` listing every problem. */
export function resolveAuthOptions(input: AuthModuleOptions, { nameOf = (p) => p }: ResolveOptions = {}): AuthOptions {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    // Issue paths name the option; zod's messages here never include the received value.
    throw new AuthOptionsError(parsed.error.issues.map((i) => `${nameOf(i.path.join('.'))} ${i.message}`));
  }
  const o = parsed.data;
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`${nameOf(path)} ${message}`);

  const privateKeyPem = o.jwt.privateKey?.replace(/\\n/g, '\n');
  const previousPublicKeysPem = o.jwt.previousPublicKeys?.replace(/\\n/g, '\n');
  const nextPublicKeysPem = o.jwt.nextPublicKeys?.replace(/\\n/g, '\n');
  let signingAlgorithm: string | undefined;
  if (privateKeyPem) {
    try {
      signingAlgorithm = algorithmOf(createPrivateKey(privateKeyPem));
    } catch (err) {
      problem('jwt.privateKey', `is not a usable private key (${(err as Error).message.replace(/\n.*/s, '')})`);
    }
  }
  for (const [path, pemText] of [['jwt.previousPublicKeys', previousPublicKeysPem], ['jwt.nextPublicKeys', nextPublicKeysPem]] as const) {
    if (!pemText) continue;
    if (!privateKeyPem) problem(path, `needs ${nameOf('jwt.privateKey')} (published keys are for asymmetric signing)`);
    const pems = splitPem(pemText);
    if (pems.length === 0) problem(path, 'holds no PEM public key');
    for (const pem of pems) {
      try {
        const key = createPublicKey(pem);
        if (signingAlgorithm && algorithmOf(key) !== signingAlgorithm) problem(path, `must be keys of the same type as ${nameOf('jwt.privateKey')}`);
      } catch (err) {
        problem(path, `holds a key that cannot be read (${(err as Error).message.replace(/\n.*/s, '')})`);
      }
    }
  }
  if (o.session.secrets.length === 0) problem('session.secrets', 'is required');
  if (o.production) {
    if (Buffer.byteLength(o.jwt.secret) < MIN_SECRET_BYTES) problem('jwt.secret', `must be at least ${MIN_SECRET_BYTES} bytes in production`);
    o.session.secrets.forEach((s, i) => {
      if (Buffer.byteLength(s) < MIN_SECRET_BYTES) {
        const which = o.session.secrets.length > 1 ? ` (entry ${i + 1})` : '';
        problems.push(`${nameOf('session.secrets')}${which} must be at least ${MIN_SECRET_BYTES} bytes in production`);
      }
    });
  }
  const secure = o.cookies.secure ?? o.production;
  if (o.cookies.sameSite === 'none' && !secure) problem('cookies.sameSite', `none needs ${nameOf('cookies.secure')}=true (browsers drop SameSite=None cookies that are not Secure)`);
  if (o.production && !o.mail.smtpUrl && !o.mail.transport) {
    problem('mail.smtpUrl', `is required in production (or ${nameOf('mail.transport')}): without it, mail is only written to files`);
  }
  if (problems.length) throw new AuthOptionsError(problems);

  return {
    production: o.production,
    session: { secrets: o.session.secrets, idleTtlMs: o.session.idleTtl, absoluteTtlMs: o.session.absoluteTtl },
    cookie: { secure, sameSite: o.cookies.sameSite ?? 'lax', partitioned: o.cookies.partitioned ?? false },
    shortSignInTtlMs: o.shortSignInTtl,
    jwt: {
      secret: o.jwt.secret,
      privateKeyPem,
      previousPublicKeysPem,
      nextPublicKeysPem,
      accessTtlMs: o.jwt.accessTtl,
      refreshTtlMs: o.jwt.refreshTtl,
      refreshGraceMs: o.jwt.refreshGrace,
      issuer: o.jwt.issuer,
      audience: o.jwt.audience,
    },
    throttle: o.throttle,
    redis: o.redis && {
      ...(o.redis.clusterNodes
        ? { mode: 'cluster' as const, nodes: o.redis.clusterNodes }
        : o.redis.sentinels
          ? { mode: 'sentinel' as const, sentinels: o.redis.sentinels, name: o.redis.sentinelName! }
          : { mode: 'single' as const, url: o.redis.url! }),
      commandTimeoutMs: o.redis.commandTimeout,
    },
    corsOrigins: o.corsOrigins,
    mail: {
      smtpUrl: o.mail.smtpUrl,
      transport: o.mail.transport,
      outboxDir: o.mail.outboxDir ?? '.data/outbox',
      from: o.mail.from ?? 'nest-dual-auth <no-reply@localhost>',
      appUrl: (o.mail.appUrl ?? 'http://localhost:3000').replace(/\/+$/, ''),
    },
    apiKeys: { maxTtlMs: o.apiKeys.maxTtl },
    lifecycle: {
      emailVerificationTtlMs: o.lifecycle.emailVerificationTtl,
      passwordResetTtlMs: o.lifecycle.passwordResetTtl,
      emailChangeTtlMs: o.lifecycle.emailChangeTtl,
      requireVerifiedEmail: o.lifecycle.requireVerifiedEmail,
      freshForMs: o.lifecycle.freshFor,
    },
  };
}

export function resolveRouting(routing: AuthModuleRouting = {}): ResolvedRouting {
  const prefix = (routing.routes?.prefix ?? 'auth').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._~/-]*$/.test(prefix)) throw new AuthOptionsError(['routes.prefix must be a URL path such as "auth" or "api/auth"']);
  return {
    routes: {
      prefix,
      registration: routing.routes?.registration ?? true,
      session: routing.routes?.session ?? true,
      token: routing.routes?.token ?? true,
      account: routing.routes?.account ?? true,
      lifecycle: routing.routes?.lifecycle ?? true,
      apiKeys: routing.routes?.apiKeys ?? true,
      jwks: routing.routes?.jwks ?? true,
    },
    globalGuard: routing.globalGuard ?? true,
    defaultStrategies: routing.defaultStrategies ?? [AuthStrategy.Session, AuthStrategy.Jwt],
  };
}
