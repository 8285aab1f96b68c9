import { Algorithm, hash } from '@node-rs/argon2';
import { PasswordHasher } from './password-hasher';
import { passwordProblem } from './password-policy';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const h = await hasher.hash('correct horse');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(h, 'correct horse')).resolves.toBe(true);
    await expect(hasher.verify(h, 'correct horse ')).resolves.toBe(false);
    expect(hasher.needsRehash(h)).toBe(false);
  });

  it('asks for a rehash when the parameters or algorithm differ', async () => {
    const weaker = await hash('pw', { algorithm: Algorithm.Argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await expect(hasher.verify(weaker, 'pw')).resolves.toBe(true);
    expect(hasher.needsRehash(weaker)).toBe(true);
    expect(hasher.needsRehash('$2b$12$abcdefghijklmnopqrstuv')).toBe(true);
  });

  it('never verifies against a malformed hash', async () => {
    await expect(hasher.verify('not a hash', 'pw')).resolves.toBe(false);
  });
});

describe('passwordProblem', () => {
  it('accepts 8 to 128 characters of anything, counting code points', () => {
    expect(passwordProblem('k3#v9!qZ')).toBeUndefined();
    expect(passwordProblem('        ')).toBeUndefined();
    expect(passwordProblem('🔑'.repeat(128))).toBeUndefined();
  });
  it('gives the reason for a refusal', () => {
    expect(passwordProblem('1234567')).toMatch(/at least 8/);
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
    expect(passwordProblem(12345678)).toMatch(/must be a string/);
  });
  it('refuses common passwords, whatever their case', () => {
    for (const p of ['password', 'PASSWORD1', 'iloveyou', '12345678', 'qwertyuiop', 'baseball1']) {
      expect(passwordProblem(p)).toMatch(/too common/);
    }
    expect(passwordProblem('correct horse battery staple')).toBeUndefined();
  });
});
