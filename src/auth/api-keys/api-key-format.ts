import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API keys look like `nda_<43 base62 characters: 32 random bytes>_<6 base62 characters: CRC32 of
 * the random part>` — GitHub's scheme: a fixed prefix that secret scanners can match, and a
 * checksum that rejects a mistyped or made-up key without asking the database.
 */
export const API_KEY_PREFIX = 'nda_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 43; // 62^43 > 2^256
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
export const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH}}_[0-9A-Za-z]{${CHECKSUM_LENGTH}}$`);
/** Shown in lists: `nda_` + 8 characters. */
export const API_KEY_VISIBLE_LENGTH = 12;

function base62(value: bigint, length: number): string {
  let out = '';
  for (let v = value; v > 0n; v /= 62n) out = BASE62[Number(v % 62n)] + out;
  return out.padStart(length, '0');
}

const checksumOf = (random: string) => base62(BigInt(crc32(random)), CHECKSUM_LENGTH);

/** A new key (to show once) with what is stored of it. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const random = base62(BigInt(`0x${randomBytes(32).toString('hex')}`), RANDOM_LENGTH);
  const key = `${API_KEY_PREFIX}${random}_${checksumOf(random)}`;
  return { key, prefix: key.slice(0, API_KEY_VISIBLE_LENGTH), hash: hashApiKey(key) };
}

/** Whether a string is shaped like one of our keys and its checksum holds — no database needed. */
export function isWellFormedApiKey(value: string): boolean {
  if (!API_KEY_PATTERN.test(value)) return false;
  const random = value.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_LENGTH);
  return value.slice(-CHECKSUM_LENGTH) === checksumOf(random);
}

/** Whether a credential claims to be an API key (by its prefix), well formed or not. */
export const looksLikeApiKey = (value: string) => value.startsWith(API_KEY_PREFIX);

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
