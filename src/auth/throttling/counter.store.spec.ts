import { AttemptKeys, BackoffPolicy, MemoryCounterStore } from './counter.store';

const keys: AttemptKeys = { failures: 'f', inFlight: 'r', block: 'b', notified: 'n' };
const policy: BackoffPolicy = { maxFailures: 3, windowMs: 60_000, baseMs: 30_000, capMs: 900_000 };

describe('MemoryCounterStore back-off', () => {
  it('blocks after maxFailures resolved failures, and tells only the first refusal', async () => {
    const store = new MemoryCounterStore();
    for (let i = 0; i < 3; i++) {
      expect(await store.reserveAttempt(keys, policy)).toEqual({ allowed: true });
      await store.resolveAttempt(keys, policy, 'failed');
    }
    const refused = await store.reserveAttempt(keys, policy);
    expect(refused).toMatchObject({ allowed: false, busy: false, firstRefusal: true });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(29_000);
    expect(await store.reserveAttempt(keys, policy)).toMatchObject({ allowed: false, firstRefusal: false });
  });

  it('never lets more checks run at once than failures are left before back-off', async () => {
    const store = new MemoryCounterStore();
    await store.reserveAttempt(keys, policy);
    await store.resolveAttempt(keys, policy, 'failed'); // 2 left
    const burst = await Promise.all(Array.from({ length: 10 }, () => store.reserveAttempt(keys, policy)));
    expect(burst.filter((r) => r.allowed)).toHaveLength(2);
    expect(burst.filter((r) => !r.allowed).every((r) => !r.allowed && r.busy && r.retryAfterMs === 1000)).toBe(true);
  });

  it('a success clears failures and back-off; a released check counts for nothing', async () => {
    const store = new MemoryCounterStore();
    for (let i = 0; i < 2; i++) {
      await store.reserveAttempt(keys, policy);
      await store.resolveAttempt(keys, policy, 'failed');
    }
    await store.reserveAttempt(keys, policy);
    await store.releaseAttempt(keys); // e.g. a 503 before the password was checked
    await store.reserveAttempt(keys, policy);
    await store.resolveAttempt(keys, policy, 'succeeded');
    for (let i = 0; i < 3; i++) expect(await store.reserveAttempt(keys, policy)).toEqual({ allowed: true });
  });
});
