/**
 * Coalesces the calls that requests make during one turn of the event loop into one statement:
 * session and strict-JWT lookups, refresh-token rotations. Under load, a turn's I/O phase handles
 * many requests; each would otherwise send its own statement to PostgreSQL, and on a busy machine
 * the per-statement cost (a round trip, a backend wake-up, the socket writes, for a write a
 * commit) dominates the work itself. `setImmediate` runs right after that phase, so a lone
 * request waits no longer than it takes the loop to come round.
 *
 * Freshness is unchanged: every statement is sent after each of its callers asked, so it sees
 * every write (a revocation, say) committed before any of them asked. Equal keys are asked for
 * once and share the answer (use a fresh object per call where callers must not share). A
 * failed statement fails each of its callers.
 */
export class TurnBatcher<K, V> {
  private pending: Map<K, Array<{ resolve: (v: V | undefined) => void; reject: (e: unknown) => void }>> | null = null;

  /**
   * @param fetch Answers for these distinct keys in one statement; keys with no answer are absent.
   * @param maxBatch Keys per statement at most (a longer queue is sent in several).
   */
  constructor(
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 256,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = new Map();
        setImmediate(() => this.flush());
      }
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
    });
  }

  private flush(): void {
    const pending = this.pending!;
    this.pending = null;
    const keys = [...pending.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const batch = keys.slice(i, i + this.maxBatch);
      let fetched: Promise<Map<K, V>>;
      try {
        fetched = this.fetch(batch);
      } catch (err) {
        fetched = Promise.reject(err);
      }
      fetched.then(
        (values) => {
          for (const key of batch) for (const w of pending.get(key)!) w.resolve(values.get(key));
        },
        (err: unknown) => {
          for (const key of batch) for (const w of pending.get(key)!) w.reject(err);
        },
      );
    }
  }
}
