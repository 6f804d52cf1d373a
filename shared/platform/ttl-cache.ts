/**
 * A container-level cache with a bounded age and size: entries older than
 * `ttlMs` are misses, and past `maxEntries` the least recently used entry
 * goes. Ages are judged on the clock the caller passes (the request's time),
 * so a test can step past the bound without sleeping. Absent values are
 * cached too (a miss that found nothing is an answer).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: () => number,
    private readonly maxEntries: number,
  ) {}

  /** The value cached under `key` no longer ago than the TTL, or `miss`. */
  get(key: string, nowMs: number): { hit: true; value: V } | { hit: false } {
    const e = this.entries.get(key);
    if (!e) return { hit: false };
    const age = nowMs - e.at;
    if (age >= this.ttlMs() || age < -this.ttlMs()) {
      this.entries.delete(key);
      return { hit: false };
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return { hit: true, value: e.value };
  }

  set(key: string, value: V, nowMs: number): void {
    if (this.ttlMs() <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, at: nowMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Forget one key (its value changed in this container). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Read many keys through a cache: hits answer at once, the misses are loaded
 * in ONE call of `load` (which returns what it found; keys it leaves out are
 * cached as absent).
 */
export async function cachedMany<V>(
  cache: TtlCache<V | undefined>,
  prefix: string,
  ids: readonly string[],
  nowMs: number,
  load: (missing: string[]) => Promise<Map<string, V>>,
): Promise<Map<string, V>> {
  const out = new Map<string, V>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const got = cache.get(`${prefix}${id}`, nowMs);
    if (!got.hit) missing.push(id);
    else if (got.value !== undefined) out.set(id, got.value);
  }
  if (missing.length) {
    const loaded = await load(missing);
    for (const id of missing) {
      const v = loaded.get(id);
      cache.set(`${prefix}${id}`, v, nowMs);
      if (v !== undefined) out.set(id, v);
    }
  }
  return out;
}

/**
 * Read one key through a cache. Concurrent misses of the same key share one
 * load (a cold container's first requests do not each read it), and a failed
 * load is not cached.
 */
export async function cachedValue<V>(
  cache: TtlCache<V>,
  key: string,
  nowMs: number,
  inflight: Map<string, Promise<V>>,
  load: () => Promise<V>,
): Promise<V> {
  const got = cache.get(key, nowMs);
  if (got.hit) return got.value;
  const running = inflight.get(key);
  if (running) return running;
  const started = load().then(
    (v) => {
      inflight.delete(key);
      cache.set(key, v, nowMs);
      return v;
    },
    (err: unknown) => {
      inflight.delete(key);
      throw err;
    },
  );
  inflight.set(key, started);
  return started;
}
