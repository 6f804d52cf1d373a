import { outsideRequest } from '../platform/deadline.js';
import { errorFields, log } from '../platform/log.js';
import { addToWindow, type RateLimit } from '../store/ratelimit.js';
import { Lru } from './cache.js';

/**
 * The per-key rate limit, without an item written on every request.
 *
 * Each container keeps, per key:
 * - a local token bucket (GCRA: one timestamp), `rps` sustained and `burst`
 *   at once, exact for the requests this container serves;
 * - a view of the fleet's coarse window: what every container admitted in the
 *   current WINDOW_MS window, read back from a shared counter item that each
 *   container adds its own count to, in one atomic ADD per sync (on the first
 *   request of a window, then at most once per SYNC_INTERVAL_MS per key,
 *   earlier when a tenth of a window's steady allowance is unreported; one at
 *   a time; never awaited by a request).
 *
 * The fleet is a token bucket at window granularity: a window may admit
 * `rps × window + balance`, where the balance (at most `burst`) is what the
 * previous windows left, as the container saw their totals. One container
 * alone therefore never refuses a request its own bucket admits, so a single
 * process (the local gateway) behaves exactly as one exact bucket. A request
 * is refused (429) when the local bucket is empty (Retry-After: until a token
 * is back) or when the fleet's window total is spent (Retry-After: until the
 * window ends). A failed sync fails no request: its count is sent again with
 * the next one and the local bucket keeps limiting meanwhile.
 *
 * Accuracy: requests admitted by other containers since this one's last sync
 * are unknown here. So that the containers do not all spend the same rest of a
 * window on their stale views, each takes only its share of what is left (its
 * part of the key's reported traffic). A window can still go over by what the
 * containers admit before their views are fresh again; the overshoot is paid
 * back by the next window's balance (it may go down to −rps × window). The
 * README states the bound and the figures of the model in the unit tests.
 */

/** Length of the shared coarse window. */
export const WINDOW_MS = 1000;
/** A container reports a key's count at most this often... */
export const SYNC_INTERVAL_MS = 250;
/** ...or as soon as this share of one window's steady allowance (rps × window) is unreported. */
export const SYNC_BATCH_SHARE = 0.1;
/** Keys a container keeps limiter state for (least recently used dropped). */
export const LIMITER_KEYS = 10_000;

/** Up to this much float error, a request exactly at the bucket's limit is admitted. */
const EPSILON_MS = 1e-6;

/** One report of a container to a window: its requests admitted in that window, plus earlier ones not yet reported. */
export interface Sync {
  window: number;
  admitted: number;
  carried: number;
}

/** The window before the current one, kept for a sync result that comes back after the window changed. */
interface ClosedWindow {
  window: number;
  balance: number;
  total: number;
  carriedIn: number;
  unsentAtClose: number;
}

/** What one container knows of one key. */
export interface KeyState {
  /** Theoretical arrival time of the local bucket (ms). */
  tat: number;
  /** Index of the current window (time / WINDOW_MS). */
  window: number;
  /** The fleet's burst tokens at the start of the current window. */
  balance: number;
  /** The window's total as last read back (every container's reports). */
  shared: number;
  /** The part of `shared` that this container carried over from earlier windows (counted there already). */
  carriedIn: number;
  /** The part of `shared` this container reported (admitted and carried). */
  reported: number;
  /** This container's share of the fleet's reports in the last window it saw reports of (1 alone). */
  share: number;
  /** Admitted here in the current window and not sent yet. */
  unsent: number;
  /** Admitted here in earlier windows and not sent yet: sent with the next sync. */
  carry: number;
  /** The sync in flight. */
  sending?: Sync;
  /** When the last sync started. */
  lastSyncAt?: number;
  prev?: ClosedWindow;
}

export const windowOf = (now: number): number => Math.floor(now / WINDOW_MS);

/** Requests a window admits at the steady rate. */
export const steadyPerWindow = (limit: RateLimit): number => (limit.rps * WINDOW_MS) / 1000;

/** Unreported requests that make a container sync before SYNC_INTERVAL_MS is up. */
export const syncBatch = (limit: RateLimit): number => Math.max(1, Math.ceil(steadyPerWindow(limit) * SYNC_BATCH_SHARE));

/** The fleet's balance at the start of the next window: what was left, plus one window's tokens, within [−steady, burst]. */
export function nextBalance(balance: number, spent: number, limit: RateLimit): number {
  const steady = steadyPerWindow(limit);
  return Math.min(limit.burst, Math.max(-steady, balance + steady - spent));
}

/** A key this container has not seen: a full bucket and, as far as it knows, an idle fleet. */
export function initialState(limit: RateLimit, now: number): KeyState {
  return {
    tat: now,
    window: windowOf(now),
    balance: limit.burst,
    shared: 0,
    carriedIn: 0,
    reported: 0,
    share: 1,
    unsent: 0,
    carry: 0,
  };
}

/** Requests admitted here in the current window since the last total read back. */
const unseen = (s: KeyState): number => (s.sending?.window === s.window ? s.sending.admitted : 0) + s.unsent;

/** Requests the fleet admitted in the current window, as far as this container knows. */
export function knownTotal(s: KeyState): number {
  return s.shared - s.carriedIn + unseen(s);
}

/** This container's share of the key's traffic: of the current window's reports once there are some, else of the last window's. */
export const shareOf = (s: KeyState): number => (s.shared > 0 ? Math.min(1, s.reported / s.shared) : s.share);

/** The local bucket (GCRA): the new arrival time when a token is taken, else the milliseconds until one is back. */
export function takeLocal(tat: number, limit: RateLimit, now: number): { tat: number; waitMs: 0 } | { waitMs: number } {
  const interval = 1000 / limit.rps;
  const tolerance = (limit.burst - 1) * interval;
  const from = Math.max(tat, now);
  if (from - now > tolerance + EPSILON_MS) return { waitMs: from - now - tolerance };
  return { tat: from + interval, waitMs: 0 };
}

/** The state rolled on to the window of `now`: the closed window's total sets the next balance; unsent counts are carried. */
export function advance(s: KeyState, limit: RateLimit, now: number): KeyState {
  const w = windowOf(now);
  if (w <= s.window) return s;
  const total = knownTotal(s);
  const closed: ClosedWindow = {
    window: s.window,
    balance: s.balance,
    total,
    carriedIn: s.carriedIn,
    unsentAtClose: s.unsent,
  };
  const skipped = w - s.window - 1;
  // Windows this container saw nothing of are taken as idle: each adds a window's tokens.
  const balance = Math.min(limit.burst, nextBalance(s.balance, total, limit) + skipped * steadyPerWindow(limit));
  return {
    ...s,
    window: w,
    balance,
    shared: 0,
    carriedIn: 0,
    reported: 0,
    share: shareOf(s),
    unsent: 0,
    carry: s.carry + s.unsent,
    prev: skipped === 0 ? closed : undefined,
  };
}

/**
 * The fleet's verdict on one more request here: 'spent' when the window's
 * allowance is used up as far as this container knows; 'slice' when what is
 * left of it at the last total read back, split between the containers by
 * their share of the traffic, leaves no room here until the next sync (so that
 * the containers together do not overrun the rest, each on its stale view);
 * else 'ok'. A slice of less than one request admits one with that
 * probability (`chance`, uniform in [0, 1)). A container alone has a share of
 * 1: its slice is all that is left, and the chance is never drawn on.
 */
export function fleetVerdict(s: KeyState, limit: RateLimit, chance: number): 'ok' | 'spent' | 'slice' {
  const allowance = steadyPerWindow(limit) + s.balance;
  if (knownTotal(s) + 1 > allowance) return 'spent';
  const slice = shareOf(s) * (allowance - (s.shared - s.carriedIn));
  const here = unseen(s);
  if (here + 1 <= slice) return 'ok';
  return here === 0 && slice < 1 && chance < slice ? 'ok' : 'slice';
}

/**
 * One request of a key in one container: `waitMs` is 0 when admitted, else
 * how long to wait; `sync` is the report to send now, if one is due.
 */
export function decide(
  s0: KeyState,
  limit: RateLimit,
  now: number,
  chance = 0,
): { state: KeyState; waitMs: number; sync?: Sync } {
  let s = advance(s0, limit, now);
  const local = takeLocal(s.tat, limit, now);
  const fleet = fleetVerdict(s, limit, chance);
  let waitMs = 0;
  if (!('tat' in local)) waitMs = local.waitMs;
  else if (fleet !== 'ok') waitMs = (s.window + 1) * WINDOW_MS - now;
  else s = { ...s, tat: local.tat, unsent: s.unsent + 1 };

  const unreported = s.unsent + s.carry;
  // Due: nothing known of this window yet, the interval is up, or a batch is unreported.
  const due =
    s.lastSyncAt === undefined ||
    windowOf(s.lastSyncAt) !== s.window ||
    now - s.lastSyncAt >= SYNC_INTERVAL_MS ||
    unreported >= syncBatch(limit);
  // A container refused for its slice reads the total again (an add of 0) when due, or it would wait on a stale view.
  const wanted = unreported > 0 || ('tat' in local && fleet === 'slice');
  if (s.sending || !wanted || !due) return { state: s, waitMs };
  const sync: Sync = { window: s.window, admitted: s.unsent, carried: s.carry };
  return { state: { ...s, sending: sync, unsent: 0, carry: 0, lastSyncAt: now }, waitMs, sync };
}

/** A sync came back with its window's total. */
export function synced(s: KeyState, limit: RateLimit, sync: Sync, total: number): KeyState {
  const sending = s.sending === sync ? undefined : s.sending;
  if (sync.window === s.window)
    return {
      ...s,
      sending,
      shared: Math.max(s.shared, total),
      carriedIn: s.carriedIn + sync.carried,
      reported: s.reported + sync.admitted + sync.carried,
    };
  if (s.prev && sync.window === s.prev.window) {
    // The window closed while the sync was out: its total (others' reports included) corrects this window's balance.
    const fleet = total - s.prev.carriedIn - sync.carried + s.prev.unsentAtClose;
    const prev = { ...s.prev, total: Math.max(s.prev.total, fleet) };
    return { ...s, sending, prev, balance: nextBalance(prev.balance, prev.total, limit) };
  }
  return { ...s, sending };
}

/** A sync failed: its counts are sent again with the next one. */
export function syncFailed(s: KeyState, sync: Sync): KeyState {
  const sending = s.sending === sync ? undefined : s.sending;
  if (sync.window === s.window) return { ...s, sending, unsent: s.unsent + sync.admitted, carry: s.carry + sync.carried };
  return { ...s, sending, carry: s.carry + sync.admitted + sync.carried };
}

/** Adds a container's count to a key's window; returns the window's total. */
export type ReportWindow = (keyId: string, window: number, admitted: number) => Promise<number>;

const reportToTable: ReportWindow = (keyId, window, admitted) => addToWindow(keyId, window, WINDOW_MS, admitted);

/** The limiter of one container: the decisions above over its keys' states, and the syncs they call for. */
export class RateLimiter {
  readonly #keys: Lru<KeyState>;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    readonly report: ReportWindow = reportToTable,
    maxKeys = LIMITER_KEYS,
  ) {
    this.#keys = new Lru(maxKeys);
  }

  /** Take one request of `keyId`: 0 when admitted, else the milliseconds to wait. Never waits for a sync. */
  take(keyId: string, limit: RateLimit, now: number): number {
    const { state, waitMs, sync } = decide(this.#keys.get(keyId) ?? initialState(limit, now), limit, now, Math.random());
    this.#keys.set(keyId, state);
    if (sync) this.#send(keyId, limit, sync);
    return waitMs;
  }

  /** Resolves once no sync is in flight (tests; a graceful stop). */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.all([...this.#inFlight]);
  }

  /** Forget every key's state. */
  clear(): void {
    this.#keys.clear();
  }

  #send(keyId: string, limit: RateLimit, sync: Sync): void {
    // Not part of the request that triggered it: its deadline must not cut the sync.
    const done: Promise<void> = outsideRequest(() =>
      Promise.resolve().then(() => this.report(keyId, sync.window, sync.admitted + sync.carried)),
    )
      .then(
        (total) => this.#update(keyId, (s) => synced(s, limit, sync, total)),
        (err) => {
          log('warn', 'rate-limit sync failed; the local bucket limits meanwhile', errorFields(err));
          this.#update(keyId, (s) => syncFailed(s, sync));
        },
      )
      .finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  #update(keyId: string, f: (s: KeyState) => KeyState): void {
    const s = this.#keys.get(keyId);
    if (s) this.#keys.set(keyId, f(s));
  }
}

/** This container's limiter. */
export const rateLimiter = new RateLimiter();

/**
 * A limit kept by one container alone: a token bucket (GCRA, the same
 * `takeLocal` as above) per id, nothing shared and nothing written. Used where
 * the id is too fine-grained for a shared window to pay for itself (a window
 * item per shopper would be one more write on nearly every offer request):
 * the per-shopper offer limit and the per-source limit of unknown keys.
 * Accuracy: exact for the requests this container serves (locally, all of
 * them); a client whose requests land on n containers at once gets up to n
 * times the limit. Ids beyond `maxIds` drop the least recently used one
 * (whose next request starts with a full bucket).
 */
export class LocalLimiter {
  /** Per id: the bucket's theoretical arrival time, and the clock when it was last taken from. */
  readonly #buckets: Lru<{ tat: number; at: number }>;

  constructor(maxIds = LIMITER_KEYS) {
    this.#buckets = new Lru(maxIds);
  }

  /** The bucket's arrival time as of `now`: a clock that went back moves it back as much, keeping what was spent. */
  #tat(b: { tat: number; at: number } | undefined, now: number): number {
    if (!b) return now;
    return now < b.at ? b.tat - (b.at - now) : b.tat;
  }

  /** Take one request of `id`: 0 when admitted, else the milliseconds until a token is back. */
  take(id: string, limit: RateLimit, now: number): number {
    const r = takeLocal(this.#tat(this.#buckets.get(id), now), limit, now);
    if (!('tat' in r)) return r.waitMs;
    this.#buckets.set(id, { tat: r.tat, at: now });
    return 0;
  }

  /** What `take` would answer, without taking anything. */
  wouldWait(id: string, limit: RateLimit, now: number): number {
    const b = this.#buckets.peek(id);
    if (!b) return 0;
    const r = takeLocal(this.#tat(b, now), limit, now);
    return 'tat' in r ? 0 : r.waitMs;
  }

  clear(): void {
    this.#buckets.clear();
  }
}

/**
 * The per-shopper offer limit (API v1.1): `POST /v1/offers` with a publishable
 * key, per (tenant, shopper of the token), 1 request/s and a burst of 5. One
 * shopper (one installed app, or one stolen token) hammering the shared key
 * gets 429 alone; the key's own limit stays the ceiling of the whole fleet.
 */
export const SHOPPER_OFFER_LIMIT: RateLimit = { rps: 1, burst: 5 };
/** Shoppers a container keeps buckets for. */
export const SHOPPER_LIMITER_IDS = 100_000;

/**
 * Requests with an unknown key (well formed, checksum right, no such key) per
 * client address: 2/s, burst 20. Past it, a key this container knows nothing
 * of is refused (429) without a DynamoDB read, so forged keys cost at most
 * this many reads per source.
 */
export const UNKNOWN_KEY_SOURCE_LIMIT: RateLimit = { rps: 2, burst: 20 };

/** This container's per-shopper offer limiter. */
export const shopperLimiter = new LocalLimiter(SHOPPER_LIMITER_IDS);
/** This container's limiter of unknown keys per source address. */
export const unknownKeyLimiter = new LocalLimiter(LIMITER_KEYS);
