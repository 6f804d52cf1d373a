import { describe, expect, it } from 'vitest';
import { cachedMany, cachedValue, TtlCache } from '../../../shared/platform/ttl-cache.js';

describe('TtlCache', () => {
  it('answers within the bound and misses at it, on the clock it is given', () => {
    const c = new TtlCache<string>(() => 30_000, 10);
    c.set('a', 'A', 1_000);
    expect(c.get('a', 30_999)).toEqual({ hit: true, value: 'A' });
    expect(c.get('a', 31_000)).toEqual({ hit: false });
  });

  it('drops the least recently used entry past its size', () => {
    const c = new TtlCache<number>(() => 30_000, 2);
    c.set('a', 1, 0);
    c.set('b', 2, 0);
    c.get('a', 1);
    c.set('c', 3, 2);
    expect([c.get('a', 3).hit, c.get('b', 3).hit, c.get('c', 3).hit]).toEqual([true, false, true]);
  });

  it('caches nothing when the bound is 0', () => {
    const c = new TtlCache<number>(() => 0, 2);
    c.set('a', 1, 0);
    expect(c.get('a', 0)).toEqual({ hit: false });
  });
});

describe('cachedMany', () => {
  it('loads only the misses, in one call, and remembers absent ones', async () => {
    const c = new TtlCache<number | undefined>(() => 30_000, 100);
    const calls: string[][] = [];
    const load = async (ids: string[]) => {
      calls.push(ids);
      return new Map(ids.filter((id) => id !== 'gone').map((id) => [id, id.length]));
    };
    expect([...(await cachedMany(c, 'p|', ['ab', 'gone', 'ab'], 0, load))]).toEqual([['ab', 2]]);
    expect([...(await cachedMany(c, 'p|', ['ab', 'gone', 'abc'], 10, load))]).toEqual([
      ['ab', 2],
      ['abc', 3],
    ]);
    expect(calls).toEqual([['ab', 'gone'], ['abc']]);
  });
});

describe('cachedValue', () => {
  it('shares one load among concurrent misses, caches its value, and does not cache a failure', async () => {
    const c = new TtlCache<number>(() => 30_000, 100);
    const inflight = new Map<string, Promise<number>>();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 42;
    };
    expect(await Promise.all([1, 2, 3].map(() => cachedValue(c, 'k', 0, inflight, load)))).toEqual([42, 42, 42]);
    expect(await cachedValue(c, 'k', 10, inflight, load)).toBe(42);
    expect(loads).toBe(1);
    expect(inflight.size).toBe(0);

    const failing = async (): Promise<number> => {
      loads++;
      throw new Error('down');
    };
    await expect(cachedValue(c, 'f', 0, inflight, failing)).rejects.toThrow('down');
    expect(await cachedValue(c, 'f', 0, inflight, load)).toBe(42);
    expect(loads).toBe(3);
  });
});
