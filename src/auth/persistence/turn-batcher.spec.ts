import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnBatcher } from './turn-batcher';

describe('TurnBatcher', () => {
  it('answers every lookup asked for in one turn of the event loop with one fetch', async () => {
    const calls: string[][] = [];
    const batcher = new TurnBatcher<string, number>(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
    });
    const results = await Promise.all([batcher.load('a'), batcher.load('bbb'), batcher.load('missing'), batcher.load('a')]);
    expect(results).toEqual([1, 3, undefined, 1]);
    expect(calls).toEqual([['a', 'bbb', 'missing']]); // distinct keys, once
  });

  it('starts a new fetch for lookups asked for after the previous one was sent', async () => {
    const calls: string[][] = [];
    const batcher = new TurnBatcher<string, string>(async (keys) => {
      calls.push(keys);
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const first = batcher.load('a');
    await nextTurn();
    const second = batcher.load('a');
    expect(await Promise.all([first, second])).toEqual(['A', 'A']);
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('splits a long queue into fetches of at most maxBatch keys', async () => {
    const sizes: number[] = [];
    const batcher = new TurnBatcher<number, number>(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, k * 2]));
    }, 3);
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((k) => batcher.load(k)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('fails every lookup of a failed fetch, and recovers on the next one', async () => {
    let down = true;
    const batcher = new TurnBatcher<string, number>(async (keys) => {
      if (down) throw new Error('connection refused');
      return new Map(keys.map((k) => [k, 1]));
    });
    const failed = await Promise.allSettled([batcher.load('a'), batcher.load('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    down = false;
    await expect(batcher.load('a')).resolves.toBe(1);
  });

  it('fails the lookups when the fetch throws before returning a promise', async () => {
    const batcher = new TurnBatcher<string, number>(() => {
      throw new Error('bad');
    });
    await expect(batcher.load('a')).rejects.toThrow('bad');
  });
});
