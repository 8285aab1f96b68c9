import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { AuthEvent, AuthEvents } from '../events/auth-events';
import { parseDuration } from '../shared/duration';
import { ApiKeyEntity } from './api-key.entity';
import { hashApiKey, isWellFormedApiKey, newApiKey } from './api-key-format';
import { ApiKeysRepository, LAST_USED_RESOLUTION_MS, LiveApiKey } from './api-keys.repository';

/** A scope: lower-case words joined by `:`, `.`, `_` or `-` (`reports:read`, `billing.invoices:write`). */
export const SCOPE_PATTERN = /^[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)*$/;
export const MAX_SCOPES = 50;

/** What lists show of a key: never the key or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export const toApiKeyView = (k: ApiKeyEntity): ApiKeyView => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
});

export interface NewApiKeyInput {
  name: string;
  scopes: string[];
  /** A duration (`'90d'`) or seconds. Default: the maximum lifetime (or no expiry without one). */
  expiresIn?: string | number;
}

/** Expired keys stay listed this long before housekeeping deletes them. */
export const EXPIRED_KEY_RETENTION_MS = 30 * 86_400_000;

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  /** Keys whose `last_used_at` this process has written lately (so concurrent requests write it once). */
  private readonly touched = new Map<string, number>();

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    private readonly keys: ApiKeysRepository,
    private readonly events: AuthEvents,
  ) {}

  /** Creates a key; the answer holds the key itself, the only time it is ever shown. */
  async create(userId: string, input: NewApiKeyInput): Promise<ApiKeyView & { key: string }> {
    const scopes = [...new Set(input.scopes)];
    const badScope = scopes.find((s) => !SCOPE_PATTERN.test(s) || s.length > 64);
    if (badScope !== undefined) throw new BadRequestException('scopes must be lower-case names such as "reports:read"');
    if (scopes.length > MAX_SCOPES) throw new BadRequestException(`scopes must hold at most ${MAX_SCOPES} entries`);
    const expiresAt = this.expiryFor(input.expiresIn);
    const { key, prefix, hash } = newApiKey();
    const entity = await this.keys.insert({ id: randomUUID(), userId, name: input.name, scopes, prefix, hash, expiresAt });
    this.events.emit(AuthEvent.ApiKeyCreated, { userId, apiKeyId: entity.id, scopes });
    return { ...toApiKeyView(entity), key };
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    return (await this.keys.listForUser(userId)).map(toApiKeyView);
  }

  async revoke(userId: string, id: string): Promise<boolean> {
    const deleted = await this.keys.deleteForUser(userId, id);
    if (deleted) this.events.emit(AuthEvent.ApiKeyRevoked, { userId, apiKeyId: id });
    return deleted;
  }

  /**
   * A presented key → the live key, or null. A malformed key or a wrong checksum is refused here,
   * without a database query; a well-formed one costs one indexed lookup (shared by the requests
   * of one event-loop turn). `last_used_at` is written at most once a minute per key, after the
   * answer is decided and without holding it up.
   */
  async authenticate(presented: string): Promise<LiveApiKey | null> {
    if (!isWellFormedApiKey(presented)) return null;
    const key = await this.keys.findLive(hashApiKey(presented));
    if (key) this.noteUse(key);
    return key;
  }

  private noteUse(key: LiveApiKey): void {
    const now = Date.now();
    const last = Math.max(key.lastUsedAt ?? 0, this.touched.get(key.id) ?? 0);
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.touched.set(key.id, now);
    if (this.touched.size > 10_000) this.touched.delete(this.touched.keys().next().value!);
    this.keys.touch(key.id).catch((err: Error) => this.logger.warn(`could not record an API key's last use: ${err.message}`));
  }

  private expiryFor(expiresIn: string | number | undefined): Date | null {
    const max = this.options.apiKeys.maxTtlMs;
    if (expiresIn === undefined) return max > 0 ? new Date(Date.now() + max) : null;
    const ms = typeof expiresIn === 'number' ? expiresIn * 1000 : parseDuration(expiresIn);
    if (ms === undefined || !Number.isFinite(ms) || ms < 60_000) throw new BadRequestException('expiresIn must be a duration of at least 1m, such as "90d"');
    if (max > 0 && ms > max) throw new BadRequestException(`expiresIn must be at most ${Math.floor(max / 86_400_000)} days (API_KEY_MAX_TTL)`);
    return new Date(Date.now() + ms);
  }
}
