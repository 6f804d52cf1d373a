import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advance,
  decide,
  fleetVerdict,
  initialState,
  type KeyState,
  knownTotal,
  LocalLimiter,
  nextBalance,
  RateLimiter,
  SYNC_INTERVAL_MS,
  type Sync,
  syncBatch,
  syncFailed,
  synced,
  takeLocal,
  WINDOW_MS,
  windowOf,
} from '../../../shared/auth/rate-limit.js';
import type { RateLimit } from '../../../shared/store/ratelimit.js';

/** A time inside window `w`, `ms` after its start. */
const at = (w: number, ms = 0) => w * WINDOW_MS + ms;
const W0 = 1_000_000;

/** The verdicts of the exact token bucket (the previous implementation: one GCRA for the whole fleet). */
function exactBucket(limit: RateLimit, times: number[]): boolean[] {
  let tat = Number.NEGATIVE_INFINITY;
  return times.map((now) => {
    const r = takeLocal(tat, limit, now);
    if (!('tat' in r)) return false;
    tat = r.tat;
    return true;
  });
}

/** A seeded uniform generator in [0, 1) (the same draws on every run). */
function seeded(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * A fleet of containers sharing one key's window totals (the counter items'
 * atomic ADD, as numbers). `deliverAfter` requests pass before a sync's result
 * comes back (its latency, counted in requests). Returns what each request got
 * and how many syncs were sent.
 */
function fleet(limit: RateLimit, requests: { container: number; now: number }[], containers: number, deliverAfter = 0) {
  const chance = seeded(containers * 7919 + requests.length);
  const totals = new Map<number, number>();
  const states: (KeyState | undefined)[] = Array.from({ length: containers }, () => undefined);
  const inFlight: { container: number; sync: Sync; due: number }[] = [];
  let syncs = 0;
  const settle = (i: number) => {
    for (const f of inFlight.filter((x) => x.due <= i)) {
      const total = (totals.get(f.sync.window) ?? 0) + f.sync.admitted + f.sync.carried;
      totals.set(f.sync.window, total);
      states[f.container] = synced(states[f.container]!, limit, f.sync, total);
      inFlight.splice(inFlight.indexOf(f), 1);
    }
  };
  const admitted = requests.map(({ container, now }, i) => {
    settle(i);
    const d = decide(states[container] ?? initialState(limit, now), limit, now, chance());
    states[container] = d.state;
    if (d.sync) {
      syncs++;
      inFlight.push({ container, sync: d.sync, due: i + deliverAfter });
      if (deliverAfter === 0) settle(i);
    }
    return d.waitMs === 0;
  });
  return { admitted, syncs };
}

describe('the local bucket', () => {
  const limit = { rps: 1, burst: 2 };

  it('takes the burst at once, then one token per 1/rps', () => {
    expect(exactBucket(limit, [0, 0, 0, 999, 1000, 1000, 2000])).toEqual([true, true, false, false, true, false, true]);
  });

  it('says how long until a token is back', () => {
    const first = takeLocal(0, limit, 0) as { tat: number };
    const second = takeLocal(first.tat, limit, 0) as { tat: number };
    expect(takeLocal(second.tat, limit, 0)).toEqual({ waitMs: 1000 });
    expect(takeLocal(second.tat, limit, 400)).toEqual({ waitMs: 600 });
  });

  it('admits exactly the burst at rates whose interval is not a whole number of milliseconds', () => {
    for (const rps of [3, 7, 30, 300, 700]) {
      const burst = rps * 2;
      const verdicts = exactBucket(
        { rps, burst },
        Array.from({ length: burst + 5 }, () => 5_000),
      );
      expect(verdicts.filter(Boolean).length).toBe(burst);
    }
  });
});

describe('one container alone', () => {
  const arrivals = fc
    .record({
      rps: fc.integer({ min: 1, max: 200 }),
      extra: fc.integer({ min: 0, max: 300 }),
      gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3000 })), {
        minLength: 1,
        maxLength: 600,
      }),
      start: fc.integer({ min: 0, max: 10_000 }),
      latency: fc.integer({ min: 0, max: 5 }),
    })
    .map(({ rps, extra, gaps, start, latency }) => {
      let t = W0 * WINDOW_MS + start;
      return { limit: { rps, burst: rps + extra }, times: gaps.map((g) => (t += g)), latency };
    });

  it('decides exactly as one exact bucket: the shared window never refuses what its own bucket admits', () => {
    fc.assert(
      fc.property(arrivals, ({ limit, times, latency }) => {
        const { admitted } = fleet(
          limit,
          times.map((now) => ({ container: 0, now })),
          1,
          latency,
        );
        expect(admitted).toEqual(exactBucket(limit, times));
      }),
      { numRuns: 300 },
    );
  });
});

describe('a fleet of containers', () => {
  const limit = { rps: 10, burst: 20 };
  /** 100 requests in the first 100 ms of a window, spread over 10 containers: each would admit 20 on its own. */
  const rush = Array.from({ length: 100 }, (_, i) => ({ container: i % 10, now: at(W0, i) }));

  it('holds a window to rps × window + burst when every sync comes back at once', () => {
    const n = fleet(limit, rush, 10).admitted.filter(Boolean).length;
    // Without the shared window: 10 × 20 = 200.
    expect(n).toBeGreaterThanOrEqual(30);
    expect(n).toBeLessThanOrEqual(30 + 10);
  });

  it('goes over by at most what each container admits before its view is fresh again', () => {
    // Each result comes back 10 requests later: every other container admits meanwhile.
    const n = fleet(limit, rush, 10, 10).admitted.filter(Boolean).length;
    expect(n).toBeGreaterThanOrEqual(30);
    // Per container: the admits not yet reported when the window is spent (up to a batch, one during the sync).
    expect(n).toBeLessThanOrEqual(30 + 10 * (syncBatch(limit) + 1));
  });

  it('keeps the sustained rate near rps with many containers: shares of what is left, overshoot paid back', () => {
    const key = { rps: 50, burst: 100 };
    const windows = 30;
    for (const containers of [5, 20, 100]) {
      // 400 requests per second offered in all (8× the limit), syncs 5 requests late.
      const requests: { container: number; now: number }[] = [];
      for (let w = 0; w < windows; w++)
        for (let i = 0; i < 400; i++) requests.push({ container: (i * 7) % containers, now: at(W0 + w, (i * WINDOW_MS) / 400) });
      const { admitted, syncs } = fleet(key, requests, containers, 5);
      const total = admitted.filter(Boolean).length;
      const exact = key.burst + key.rps * windows;
      expect({ containers, ok: total >= key.rps * windows && total <= 1.3 * exact }).toEqual({ containers, ok: true });
      // Writes: per container per sync, never per request.
      expect(syncs).toBeLessThanOrEqual(containers * windows * (WINDOW_MS / SYNC_INTERVAL_MS + 1));
    }
  });

  it('lets a fleet that was idle use its burst again', () => {
    const busy = Array.from({ length: 60 }, (_, i) => ({ container: i % 3, now: at(W0, i) }));
    const later = Array.from({ length: 60 }, (_, i) => ({ container: i % 3, now: at(W0 + 5, i) }));
    const { admitted } = fleet(limit, [...busy, ...later], 3);
    for (const part of [admitted.slice(0, 60), admitted.slice(60)]) {
      const n = part.filter(Boolean).length;
      expect(n).toBeGreaterThanOrEqual(30);
      expect(n).toBeLessThanOrEqual(30 + 3);
    }
  });
});

describe("a container's slice of what is left", () => {
  const limit = { rps: 10, burst: 10 };
  // Allowance 20; the fleet reported 10, half of it from here: 10 left, a slice of 5.
  const half: KeyState = { ...initialState(limit, at(W0)), shared: 10, reported: 5, lastSyncAt: at(W0) };

  it('is its share of the traffic times what is left at the last total read back', () => {
    const verdicts: string[] = [];
    let s = half;
    for (let i = 0; i < 7; i++) {
      verdicts.push(fleetVerdict(s, limit, 0.99));
      s = { ...s, unsent: s.unsent + 1 };
    }
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'slice', 'slice']);
  });

  it('of less than one request admits one with that probability', () => {
    // A share of 0.05 of 10 left: half a request.
    const small: KeyState = { ...half, reported: 0.5 };
    expect(fleetVerdict(small, limit, 0.49)).toBe('ok');
    expect(fleetVerdict(small, limit, 0.5)).toBe('slice');
    expect(fleetVerdict({ ...small, unsent: 1 }, limit, 0)).toBe('slice');
  });

  it("is the last window's share before this window's first total, and all that is left for a container alone", () => {
    const rolled = advance(half, limit, at(W0 + 1));
    expect(rolled.share).toBe(0.5);
    const alone = advance({ ...half, reported: 10 }, limit, at(W0 + 1));
    expect(alone.share).toBe(1);
    expect(fleetVerdict({ ...alone, unsent: 19 }, limit, 0.99)).toBe('ok');
    expect(fleetVerdict({ ...alone, unsent: 20 }, limit, 0)).toBe('spent');
  });

  it('is read again (an add of 0) when a refused container is due a sync', () => {
    const d = decide({ ...half, unsent: 5, lastSyncAt: at(W0) }, limit, at(W0, SYNC_INTERVAL_MS), 0.99);
    expect(d.waitMs).toBeGreaterThan(0);
    expect(d.sync).toEqual({ window: W0, admitted: 5, carried: 0 });
    const idle = decide({ ...half, reported: 0.5, lastSyncAt: at(W0) }, limit, at(W0, SYNC_INTERVAL_MS), 0.99);
    expect(idle.waitMs).toBeGreaterThan(0);
    expect(idle.sync).toEqual({ window: W0, admitted: 0, carried: 0 });
  });
});

describe('a refusal', () => {
  const limit = { rps: 10, burst: 10 };

  it('by the shared window waits until the window ends', () => {
    let s: KeyState = { ...initialState(limit, at(W0)), shared: 20, lastSyncAt: at(W0) };
    const d = decide(s, limit, at(W0, 300));
    expect(d.waitMs).toBe(700);
    expect(d.state.unsent).toBe(0);
    // ... and takes no token from the local bucket.
    s = d.state;
    expect(s.tat).toBe(initialState(limit, at(W0)).tat);
  });

  it('by the local bucket waits until a token is back', () => {
    let s = initialState(limit, at(W0));
    for (let i = 0; i < 10; i++) s = decide(s, limit, at(W0)).state;
    expect(decide(s, limit, at(W0, 50)).waitMs).toBe(50);
  });
});

describe('syncs', () => {
  const limit = { rps: 1000, burst: 2000 };

  it('go out on the first request, then at most every SYNC_INTERVAL_MS, one at a time', () => {
    let s = initialState(limit, at(W0));
    const first = decide(s, limit, at(W0));
    expect(first.sync).toEqual({ window: W0, admitted: 1, carried: 0 });
    // In flight: no second sync, whatever the time.
    expect(decide(first.state, limit, at(W0, SYNC_INTERVAL_MS * 2)).sync).toBeUndefined();
    s = synced(first.state, limit, first.sync!, 1);
    expect(s.sending).toBeUndefined();
    const soon = decide(s, limit, at(W0, 100));
    expect(soon.sync).toBeUndefined();
    const later = decide(soon.state, limit, at(W0, SYNC_INTERVAL_MS));
    expect(later.sync).toEqual({ window: W0, admitted: 2, carried: 0 });
  });

  it('go out on the first request of a new window', () => {
    const first = decide(initialState(limit, at(W0, 900)), limit, at(W0, 900));
    const s = synced(first.state, limit, first.sync!, 1);
    expect(decide(s, limit, at(W0, 950)).sync).toBeUndefined();
    expect(decide(s, limit, at(W0 + 1, 10)).sync).toEqual({ window: W0 + 1, admitted: 1, carried: 0 });
  });

  it('go out early once a tenth of the window is unreported', () => {
    expect(syncBatch(limit)).toBe(100);
    expect(syncBatch({ rps: 1, burst: 2 })).toBe(1);
    const first = decide(initialState(limit, at(W0)), limit, at(W0));
    let s = synced(first.state, limit, first.sync!, 1);
    const sent: Sync[] = [];
    for (let i = 0; i < 250; i++) {
      const d = decide(s, limit, at(W0, 1));
      s = d.state;
      if (d.sync) {
        sent.push(d.sync);
        s = synced(s, limit, d.sync, knownTotal(s));
      }
    }
    expect(sent.map((x) => x.admitted)).toEqual([100, 100]);
  });

  it('that fail fail no request: their counts go out with the next sync', () => {
    let s = initialState(limit, at(W0));
    const d = decide(s, limit, at(W0));
    s = syncFailed(d.state, d.sync!);
    expect(s.unsent).toBe(1);
    expect(knownTotal(s)).toBe(1);
    const retry = decide(s, limit, at(W0, SYNC_INTERVAL_MS));
    expect(retry.waitMs).toBe(0);
    expect(retry.sync).toEqual({ window: W0, admitted: 2, carried: 0 });
    // A failure after the window changed: carried into the next window's report.
    const late = syncFailed(advance(retry.state, limit, at(W0 + 1)), retry.sync!);
    expect(late.carry).toBe(2);
    expect(decide(late, limit, at(W0 + 1, SYNC_INTERVAL_MS * 2)).sync).toEqual({ window: W0 + 1, admitted: 1, carried: 2 });
  });
});

describe('a new window', () => {
  const limit = { rps: 10, burst: 20 };

  it('starts from what the last one left: balance + rps − spent, within [−rps, burst]', () => {
    expect(nextBalance(20, 0, limit)).toBe(20);
    expect(nextBalance(20, 25, limit)).toBe(5);
    expect(nextBalance(5, 30, limit)).toBe(-10);
    expect(nextBalance(0, 100, limit)).toBe(-10);
  });

  it('carries what was not reported, and counts it once', () => {
    const s: KeyState = { ...initialState(limit, at(W0)), shared: 12, reported: 12, unsent: 3, lastSyncAt: at(W0) };
    const next = advance(s, limit, at(W0 + 1, 10));
    expect(next).toMatchObject({ window: W0 + 1, balance: 20 + 10 - 15, shared: 0, unsent: 0, carry: 3 });
    expect(knownTotal(next)).toBe(0);
    // The carried count comes back in the new window's total: not counted twice here.
    const d = decide(next, limit, at(W0 + 1, SYNC_INTERVAL_MS + 10));
    expect(d.sync).toEqual({ window: W0 + 1, admitted: 1, carried: 3 });
    expect(knownTotal(synced(d.state, limit, d.sync!, 4 + 7))).toBe(1 + 7);
  });

  it('after idle windows refills up to the burst', () => {
    const s: KeyState = { ...initialState(limit, at(W0)), shared: 30, lastSyncAt: at(W0) };
    expect(advance(s, limit, at(W0 + 1)).balance).toBe(0);
    expect(advance(s, limit, at(W0 + 2)).balance).toBe(10);
    expect(advance(s, limit, at(W0 + 500)).balance).toBe(20);
  });

  it('learns the last window’s full total from a sync that came back late', () => {
    const s0: KeyState = { ...initialState(limit, at(W0)), shared: 10, reported: 10 };
    const d = decide(s0, limit, at(W0, 900));
    expect(d.sync).toEqual({ window: W0, admitted: 1, carried: 0 });
    const rolled = advance(d.state, limit, at(W0 + 1, 5));
    expect(rolled.balance).toBe(20 + 10 - 11);
    // Other containers had reported 8 more meanwhile.
    const back = synced(rolled, limit, d.sync!, 10 + 1 + 8);
    expect(back.balance).toBe(20 + 10 - 19);
    expect(back.sending).toBeUndefined();
  });

  it('is the window of the clock', () => {
    expect(windowOf(at(W0, 999))).toBe(W0);
    expect(windowOf(at(W0 + 1))).toBe(W0 + 1);
  });
});

describe('the limiter of a container', () => {
  it('answers at once and syncs in the background', async () => {
    const reports: [string, number, number][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const limiter = new RateLimiter(async (keyId, window, admitted) => {
      reports.push([keyId, window, admitted]);
      await gate;
      return admitted + 50;
    });
    const limit = { rps: 10, burst: 20 };
    expect(limiter.take('k', limit, at(W0))).toBe(0);
    expect(reports).toEqual([]);
    await Promise.resolve();
    await Promise.resolve();
    expect(reports).toEqual([['k', W0, 1]]);
    release();
    await limiter.idle();
    // 50 more reported by others: the window (rps + burst = 30) is spent.
    expect(limiter.take('k', limit, at(W0, 10))).toBe(WINDOW_MS - 10);
  });

  it('keeps admitting by its local bucket when syncs fail', async () => {
    const limiter = new RateLimiter(async () => {
      throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
    });
    const limit = { rps: 1, burst: 3 };
    const waits = [0, 0, 0, 0].map((_, i) => limiter.take('k', limit, at(W0, i)));
    await limiter.idle();
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter(async (_k, _w, n) => n);
    const limit = { rps: 1, burst: 1 };
    expect(limiter.take('a', limit, at(W0))).toBe(0);
    expect(limiter.take('a', limit, at(W0))).toBeGreaterThan(0);
    expect(limiter.take('b', limit, at(W0))).toBe(0);
  });
});

describe('a limit kept by one container (LocalLimiter)', () => {
  const limit = { rps: 2, burst: 3 };

  it('is the exact bucket for every id apart, and peeking takes nothing', () => {
    const l = new LocalLimiter();
    const t = 1_000_000;
    expect(l.wouldWait('a', limit, t)).toBe(0);
    expect([0, 1, 2, 3].map(() => l.take('a', limit, t))).toEqual([0, 0, 0, 500]);
    expect(l.wouldWait('a', limit, t)).toBe(500);
    expect(l.wouldWait('a', limit, t)).toBe(500);
    expect(l.take('b', limit, t)).toBe(0);
    expect(l.take('a', limit, t + 499)).toBe(1);
    expect(l.take('a', limit, t + 500)).toBe(0);
    expect(l.take('a', limit, t + 500)).toBe(500);
    // Matches the exact bucket on any sequence of arrivals.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 60 }), (gaps) => {
        const times: number[] = [];
        let now = t;
        for (const g of gaps) {
          now += g;
          times.push(now);
        }
        const one = new LocalLimiter();
        expect(times.map((at) => one.take('k', limit, at) === 0)).toEqual(exactBucket(limit, times));
      }),
    );
  });

  it('keeps what was spent when the clock goes back, instead of refusing until it catches up', () => {
    const l = new LocalLimiter();
    const t = 1_000_000;
    expect([0, 1].map(() => l.take('a', limit, t + 60_000))).toEqual([0, 0]);
    // 60 s earlier by this clock: one token left, as at t + 60 s, not none until then.
    expect(l.take('a', limit, t)).toBe(0);
    expect(l.take('a', limit, t)).toBe(500);
    expect(l.wouldWait('a', limit, t + 500)).toBe(0);
  });

  it('forgets the least recently used id past its size (that id starts again with a full bucket)', () => {
    const l = new LocalLimiter(2);
    for (let i = 0; i < 3; i++) l.take('a', limit, 0);
    expect(l.take('a', limit, 0)).toBeGreaterThan(0);
    l.take('b', limit, 0);
    l.take('c', limit, 0);
    expect(l.take('a', limit, 0)).toBe(0);
  });
});
