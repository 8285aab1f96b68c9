import { API_KEY_PATTERN, isWellFormedApiKey, newApiKey } from './api-key-format';

describe('API key format', () => {
  it('makes nda_ keys with 256 random bits and a checksum that a typo breaks', () => {
    const keys = Array.from({ length: 200 }, () => newApiKey());
    for (const { key, prefix, hash } of keys) {
      expect(key).toMatch(API_KEY_PATTERN);
      expect(isWellFormedApiKey(key)).toBe(true);
      expect(prefix).toBe(key.slice(0, 12));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const i = 4 + (key.charCodeAt(10) % 40);
      const typo = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
      expect(isWellFormedApiKey(typo)).toBe(false);
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
  });

  it('refuses anything else without throwing', () => {
    for (const value of ['', 'nda_', 'nda_x_y', 'ghp_' + 'a'.repeat(40), `nda_${'0'.repeat(43)}_000000`, `NDA_${'a'.repeat(43)}_aaaaaa`]) {
      expect(isWellFormedApiKey(value)).toBe(false);
    }
  });
});
