import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configVariables, loadConfig } from './load-config';

const dir = () => mkdtempSync(join(tmpdir(), 'nda-config-'));
const strong = 'a-secret-that-is-definitely-32-bytes-long!';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ DATA_DIR: dir(), JWT_SECRET: strong, SESSION_SECRET: strong });
    expect(c).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      dbQueryTimeoutMs: 3_000,
      http: { keepAliveTimeoutMs: 65_000, headersTimeoutMs: 66_000, requestTimeoutMs: 70_000 },
      trustProxy: false,
      generatedSecrets: [],
      auth: {
        production: false,
        session: { idleTtlMs: 30 * 60_000, absoluteTtlMs: 7 * 86_400_000 },
        cookie: { secure: false },
        jwt: { accessTtlMs: 15 * 60_000, refreshTtlMs: 7 * 86_400_000, refreshGraceMs: 10_000, issuer: 'nest-dual-auth', audience: 'nest-dual-auth-api' },
        throttle: { loginPerIpPerMinute: 30, maxFailures: 5 },
        redis: null,
        corsOrigins: [],
      },
    });
  });

  it('generates development secrets once, keeps them private, and reuses them', () => {
    const dataDir = dir();
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.generatedSecrets).toEqual(['JWT_SECRET', 'SESSION_SECRET']);
    const file = join(dataDir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.auth.jwt.secret).toBe(first.auth.jwt.secret);
    expect(second.auth.session.secrets).toEqual(first.auth.session.secrets);
    expect(JSON.parse(readFileSync(file, 'utf8')).JWT_SECRET).toBe(first.auth.jwt.secret);
  });

  it('refuses missing and short secrets in production, naming them but not their values', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir() })).toThrow(/JWT_SECRET is required[\s\S]*SESSION_SECRET is required/);
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short-secret-value', SESSION_SECRET: strong });
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/JWT_SECRET must be at least 32 bytes/);
      expect((err as Error).message).not.toContain('short-secret-value');
    }
  });

  it('turns on secure cookies in production unless told otherwise', () => {
    const env = {
      NODE_ENV: 'production',
      JWT_SECRET: strong,
      SESSION_SECRET: `${strong},${strong}2`,
      ALLOW_EMBEDDED_DB_IN_PRODUCTION: 'true',
      SMTP_URL: 'smtps://mailer:pw@smtp.example.com',
    };
    expect(loadConfig(env).auth.cookie.secure).toBe(true);
    expect(loadConfig({ ...env, COOKIE_SECURE: 'false' }).auth.cookie.secure).toBe(false);
    expect(loadConfig(env).auth.session.secrets).toHaveLength(2);
  });

  it('requires SMTP_URL in production, and names a malformed one without its value', () => {
    const env = { NODE_ENV: 'production', JWT_SECRET: strong, SESSION_SECRET: strong, ALLOW_EMBEDDED_DB_IN_PRODUCTION: 'true' };
    expect(() => loadConfig(env)).toThrow(/SMTP_URL is required in production/);
    try {
      loadConfig({ ...env, SMTP_URL: 'http://user:hunter2secret@mail.example.com' });
      throw new Error('should have thrown');
    } catch (err) {
      expect((err as Error).message).toMatch(/SMTP_URL must be a URL starting with smtp:\/\/ or smtps:\/\//);
      expect((err as Error).message).not.toContain('hunter2secret');
    }
    const ok = loadConfig({ ...env, SMTP_URL: 'smtp://mailer:pw@smtp.example.com:587', APP_URL: 'https://app.example.com/' });
    expect(ok.auth.mail).toMatchObject({ smtpUrl: 'smtp://mailer:pw@smtp.example.com:587', appUrl: 'https://app.example.com' });
  });

  it('writes mail to DATA_DIR/outbox in development', () => {
    const dataDir = dir();
    expect(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: strong, SESSION_SECRET: strong }).auth.mail).toMatchObject({ smtpUrl: undefined, outboxDir: join(dataDir, 'outbox') });
  });

  it('names every malformed variable', () => {
    expect(() =>
      loadConfig({ DATA_DIR: dir(), PORT: '70000', JWT_ACCESS_TTL: '15 minutes', DATABASE_URL: 'mysql://x', COOKIE_SECURE: 'maybe' }),
    ).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*COOKIE_SECURE[\s\S]*JWT_ACCESS_TTL/);
  });

  it('takes Redis as one node, a cluster or Sentinels — exactly one of them', () => {
    const base = { DATA_DIR: dir(), JWT_SECRET: strong, SESSION_SECRET: strong };
    expect(loadConfig(base).auth.redis).toBeNull();
    expect(loadConfig({ ...base, REDIS_URL: 'redis://r:6379' }).auth.redis).toMatchObject({ mode: 'single', url: 'redis://r:6379' });
    expect(loadConfig({ ...base, REDIS_CLUSTER_NODES: 'a:7000, redis://:pw@b:7001' }).auth.redis).toMatchObject({
      mode: 'cluster',
      nodes: ['redis://a:7000', 'redis://:pw@b:7001'],
    });
    expect(loadConfig({ ...base, REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'main' }).auth.redis).toMatchObject({
      mode: 'sentinel',
      sentinels: ['redis://s1:26379', 'redis://s2:26379'],
      name: 'main',
    });
    expect(() => loadConfig({ ...base, REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:7000' })).toThrow(/REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS: set exactly one/);
    expect(() => loadConfig({ ...base, REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINEL_NAME/);
    expect(() => loadConfig({ ...base, REDIS_SENTINEL_NAME: 'main' })).toThrow(/REDIS_SENTINEL_NAME/);
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'http://a:7000' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('allows a zero refresh grace but not a zero lifetime', () => {
    const base = { DATA_DIR: dir(), JWT_SECRET: strong, SESSION_SECRET: strong };
    expect(loadConfig({ ...base, JWT_REFRESH_GRACE: '0' }).auth.jwt.refreshGraceMs).toBe(0);
    expect(() => loadConfig({ ...base, JWT_ACCESS_TTL: '0' })).toThrow(/JWT_ACCESS_TTL/);
  });
});

describe('documentation of the configuration', () => {
  const root = join(__dirname, '..', '..', '..');
  it('.env.example and the README table name every variable the app reads', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Database modes'));
    const missing = configVariables().flatMap((v) => [
      ...(new RegExp(`^#? ?${v}=`, 'm').test(example) ? [] : [`.env.example: ${v}`]),
      ...(table.includes(`\`${v}\``) || v.endsWith('_FILE') ? [] : [`README: ${v}`]),
    ]);
    expect(missing).toEqual([]);
  });
});
