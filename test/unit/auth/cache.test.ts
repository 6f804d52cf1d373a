import { describe, expect, it } from 'vitest';
import { isFresh, Lru, TtlCache } from '../../../shared/auth/cache.js';

describe('Lru', () => {
  it('drops the least recently used entry when full', () => {
    const lru = new Lru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    expect(lru.size).toBe(2);
  });

  it('replaces a value without growing', () => {
    const lru = new Lru<string>(2);
    lru.set('a', 'x');
    lru.set('a', 'y');
    expect(lru.size).toBe(1);
    expect(lru.get('a')).toBe('y');
  });

  it('holds at least one entry', () => {
    expect(() => new Lru(0)).toThrow(RangeError);
  });
});

describe('isFresh', () => {
  it('is true for less than the TTL since the read, false from the TTL on, and false for a clock that went back', () => {
    expect(isFresh(1000, 1000, 30_000)).toBe(true);
    expect(isFresh(1000, 30_999, 30_000)).toBe(true);
    expect(isFresh(1000, 31_000, 30_000)).toBe(false);
    expect(isFresh(1000, 999, 30_000)).toBe(false);
  });
});

describe('TtlCache', () => {
  /** A loader that answers from `values` and counts its calls. */
  function loader(values: Record<string, string>) {
    const calls: string[] = [];
    const load = async (key: string) => {
      calls.push(key);
      return values[key];
    };
    return { calls, load };
  }

  it('loads once per TTL, found or not found', async () => {
    const cache = new TtlCache<string>(30_000, 100);
    const { calls, load } = loader({ a: 'A' });
    expect(await cache.get('a', 0, load)).toBe('A');
    expect(await cache.get('a', 29_999, load)).toBe('A');
    expect(await cache.get('nope', 0, load)).toBeUndefined();
    expect(await cache.get('nope', 29_999, load)).toBeUndefined();
    expect(calls).toEqual(['a', 'nope']);
    expect(await cache.get('a', 30_000, load)).toBe('A');
    expect(await cache.get('nope', 30_000, load)).toBeUndefined();
    expect(calls).toEqual(['a', 'nope', 'a', 'nope']);
  });

  it('sees a changed value once the TTL is up', async () => {
    const cache = new TtlCache<string>(1000, 100);
    const values: Record<string, string> = { a: 'v1' };
    const { load } = loader(values);
    expect(await cache.get('a', 0, load)).toBe('v1');
    values.a = 'v2';
    expect(await cache.get('a', 999, load)).toBe('v1');
    expect(await cache.get('a', 1000, load)).toBe('v2');
  });

  it('shares one load between concurrent misses', async () => {
    const cache = new TtlCache<string>(30_000, 100);
    const { calls, load } = loader({ a: 'A' });
    const got = await Promise.all(Array.from({ length: 50 }, () => cache.get('a', 0, load)));
    expect(new Set(got)).toEqual(new Set(['A']));
    expect(calls).toEqual(['a']);
  });

  it('keeps no failed load: the next call loads again', async () => {
    const cache = new TtlCache<string>(30_000, 100);
    let fail = true;
    const load = async () => {
      if (fail) throw new Error('down');
      return 'A';
    };
    await expect(cache.get('a', 0, load)).rejects.toThrow('down');
    fail = false;
    expect(await cache.get('a', 1, load)).toBe('A');
  });

  it('forgets a key at once, even while it loads', async () => {
    const cache = new TtlCache<string>(30_000, 100);
    const values: Record<string, string> = { a: 'old' };
    const { calls, load } = loader(values);
    expect(await cache.get('a', 0, load)).toBe('old');
    values.a = 'new';
    cache.forget('a');
    expect(await cache.get('a', 1, load)).toBe('new');
    // A load in flight when the key is forgotten is not kept.
    values.a = 'newer';
    cache.forget('a');
    const inFlight = cache.get('a', 2, load);
    cache.forget('a');
    values.a = 'newest';
    await inFlight;
    expect(await cache.get('a', 3, load)).toBe('newest');
    expect(calls).toEqual(['a', 'a', 'a', 'a']);
  });

  it('bounds present and absent entries apart: unknown keys do not evict known ones', async () => {
    const cache = new TtlCache<string>(30_000, 2);
    const { calls, load } = loader({ a: 'A', b: 'B' });
    await cache.get('a', 0, load);
    await cache.get('b', 0, load);
    for (let i = 0; i < 10; i++) await cache.get(`unknown-${i}`, 0, load);
    calls.length = 0;
    expect(await cache.get('a', 1, load)).toBe('A');
    expect(await cache.get('b', 1, load)).toBe('B');
    expect(calls).toEqual([]);
  });
});
