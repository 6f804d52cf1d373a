/**
 * Retention: how long each kind of item about a shopper is kept, per tenant
 * (GET|PATCH /v1/settings), and when one item stops being readable. Pure: the
 * store modules say which kind an item is; this module says whether it is
 * still retained at a given instant.
 *
 * Every item is written with a TTL of its kind's default life (WRITTEN_DAYS).
 * A tenant may shorten a knob: an item is retained until the earlier of its
 * TTL and its anchor (when retention starts counting) plus the tenant's days.
 * A shorter setting therefore applies at once to items already written; a
 * longer one cannot keep an item past the TTL it was written with.
 */

export const RETENTION_KNOBS = ['profileDays', 'offersDays', 'visitsDays', 'locationDays'] as const;
export type RetentionKnob = (typeof RETENTION_KNOBS)[number];
export type Retention = Record<RetentionKnob, number>;

/** Bounds and defaults of each knob, in days (API.md, "Tenant settings"). */
export const RETENTION_LIMITS: Record<RetentionKnob, { min: number; max: number; default: number }> = {
  profileDays: { min: 30, max: 730, default: 730 },
  offersDays: { min: 1, max: 90, default: 30 },
  visitsDays: { min: 1, max: 30, default: 7 },
  locationDays: { min: 1, max: 30, default: 30 },
};

export const DEFAULT_RETENTION: Retention = {
  profileDays: RETENTION_LIMITS.profileDays.default,
  offersDays: RETENTION_LIMITS.offersDays.default,
  visitsDays: RETENTION_LIMITS.visitsDays.default,
  locationDays: RETENTION_LIMITS.locationDays.default,
};

/** The kinds of item held about a shopper that retention applies to. */
export type RetainedKind =
  | 'profile'
  | 'offer'
  | 'eligibility'
  | 'conversion'
  | 'statsMarker'
  | 'visits'
  | 'visitEvent'
  | 'location';

/**
 * Per kind: the knob that governs it, the days of life its TTL is written with, and where retention counts from.
 * An offer counts from when it was made (its `createdAt`); every other kind from its latest write (its TTL minus
 * the days it was written with). Frequency caps are not here: they live for their cap's own window (at most 30
 * days) and hold only times of offers, which the cap needs to be enforced. Idempotency records live 24 hours.
 */
export const RETAINED_KINDS: Record<RetainedKind, { knob: RetentionKnob; writtenDays: number; from: 'write' | 'createdAt' }> = {
  profile: { knob: 'profileDays', writtenDays: 730, from: 'write' },
  // Purchases and the distinct-shopper markers behind report counts follow the profile: they describe the
  // shopper's relationship with the tenant, and counts need them across campaigns' lives.
  conversion: { knob: 'profileDays', writtenDays: 400, from: 'write' },
  statsMarker: { knob: 'profileDays', writtenDays: 400, from: 'write' },
  // An offer's TTL is 30 days after it expires (redemption answers 410 meanwhile); its retention counts from
  // when it was made, so a tenant's offersDays is the age past which no offer is kept, valid or not.
  offer: { knob: 'offersDays', writtenDays: 30, from: 'createdAt' },
  eligibility: { knob: 'offersDays', writtenDays: 8, from: 'write' },
  visits: { knob: 'visitsDays', writtenDays: 7, from: 'write' },
  visitEvent: { knob: 'visitsDays', writtenDays: 7, from: 'write' },
  location: { knob: 'locationDays', writtenDays: 30, from: 'write' },
};

const DAY_S = 86_400;

/** What retention reads of an item: the epoch second its TTL ends (the store's TTL attribute), and its createdAt. */
export interface RetainedItem {
  expiresS?: unknown;
  createdAt?: unknown;
}

/**
 * The epoch second at which an item of `kind` stops being retained under `retention`: the earlier of its TTL and
 * its anchor plus the tenant's days. An item without a numeric TTL is retained for good (undefined), unless it
 * counts from a `createdAt` it carries.
 */
export function retainedUntilS(
  kind: RetainedKind,
  item: RetainedItem,
  retention: Retention = DEFAULT_RETENTION,
): number | undefined {
  const rule = RETAINED_KINDS[kind];
  const ttl = typeof item.expiresS === 'number' ? item.expiresS : undefined;
  let anchor: number | undefined;
  if (rule.from === 'createdAt') {
    const created = typeof item.createdAt === 'string' ? Date.parse(item.createdAt) : Number.NaN;
    anchor = Number.isNaN(created) ? undefined : Math.floor(created / 1000);
  } else if (ttl !== undefined) anchor = ttl - rule.writtenDays * DAY_S;
  const byTenant = anchor === undefined ? undefined : anchor + retention[rule.knob] * DAY_S;
  if (ttl === undefined) return byTenant;
  return byTenant === undefined ? ttl : Math.min(ttl, byTenant);
}

/** Is an item of `kind` still retained at `nowMs`? Past its retention it is absent on every read. */
export function isRetained(
  kind: RetainedKind,
  item: RetainedItem,
  retention: Retention = DEFAULT_RETENTION,
  nowMs = Date.now(),
): boolean {
  const until = retainedUntilS(kind, item, retention);
  return until === undefined || until > Math.floor(nowMs / 1000);
}

/** Does `retention` shorten any knob below its default (so the background sweep has work for this tenant)? */
export const isShortened = (retention: Retention) => RETENTION_KNOBS.some((k) => retention[k] < RETENTION_LIMITS[k].default);

/**
 * How many seconds earlier than its TTL an item of `kind` written (or made) now stops being retained: for the
 * stats markers' condition, which compares a stored TTL with a cutoff in the table.
 */
export function retentionShortfallS(kind: RetainedKind, retention: Retention = DEFAULT_RETENTION): number {
  const rule = RETAINED_KINDS[kind];
  return Math.max(0, (rule.writtenDays - retention[rule.knob]) * DAY_S);
}

/** Fill the knobs a stored or patched value leaves out with the defaults. */
export const withDefaults = (partial: Partial<Retention> | undefined): Retention => ({
  ...DEFAULT_RETENTION,
  ...(partial ?? {}),
});
