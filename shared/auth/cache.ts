/**
 * In-container caches of the authorization path, bounded in size and (for
 * looked-up values) in age. A Lambda container keeps them across invocations;
 * locally the one process does.
 */

/** A map of at most `max` entries that drops the least recently used one when full. */
export class Lru<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError('An LRU holds at least one entry.');
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, marked as just used. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** The value, without marking it as used. */
  peek(key: string): V | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Is a value read at `readAt` still usable at `now`? A clock that went back counts as stale. */
export const isFresh = (readAt: number, now: number, ttlMs: number): boolean => now >= readAt && now - readAt < ttlMs;

/**
 * Values loaded on demand and kept for at most `ttlMs` (measured from when
 * their load started), absent ones (`undefined`) as well as present ones.
 * Absent values have an LRU of their own, so that a flood of unknown keys
 * cannot evict the known ones. Concurrent misses of one key share one load;
 * a failed load is not kept (the next call loads again).
 */
export class TtlCache<V> {
  readonly #present: Lru<{ value: V; readAt: number }>;
  readonly #absent: Lru<number>;
  readonly #loading = new Map<string, Promise<V | undefined>>();

  constructor(
    readonly ttlMs: number,
    max: number,
  ) {
    this.#present = new Lru(max);
    this.#absent = new Lru(max);
  }

  /** The cached value when fresh, else `load(key)`'s (kept when it succeeds). */
  async get(key: string, now: number, load: (key: string) => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.#present.get(key);
    if (hit && isFresh(hit.readAt, now, this.ttlMs)) return hit.value;
    const absentAt = this.#absent.get(key);
    if (absentAt !== undefined && isFresh(absentAt, now, this.ttlMs)) return undefined;
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const loading = load(key).then((value) => {
      // Only if nothing forgot the key meanwhile (a revocation in this container).
      if (this.#loading.get(key) === loading) this.#keep(key, value, now);
      return value;
    });
    this.#loading.set(key, loading);
    try {
      return await loading;
    } finally {
      if (this.#loading.get(key) === loading) this.#loading.delete(key);
    }
  }

  /**
   * Would `get(key, now)` answer without a load of its own: a fresh value, a
   * fresh "absent", or a load already under way? (Peeks: marks nothing as used.)
   */
  knows(key: string, now: number): boolean {
    if (this.#loading.has(key)) return true;
    const hit = this.#present.peek(key);
    if (hit && isFresh(hit.readAt, now, this.ttlMs)) return true;
    const absentAt = this.#absent.peek(key);
    return absentAt !== undefined && isFresh(absentAt, now, this.ttlMs);
  }

  /** Drop what is known of `key`: the next `get` loads it. */
  forget(key: string): void {
    this.#present.delete(key);
    this.#absent.delete(key);
    this.#loading.delete(key);
  }

  clear(): void {
    this.#present.clear();
    this.#absent.clear();
    this.#loading.clear();
  }

  #keep(key: string, value: V | undefined, readAt: number): void {
    if (value === undefined) {
      this.#present.delete(key);
      this.#absent.set(key, readAt);
    } else {
      this.#absent.delete(key);
      this.#present.set(key, { value, readAt });
    }
  }
}
