import { DEFAULT_RETENTION, RETAINED_KINDS, type Retention } from '../domain/values/retention.js';
import { queryPartition, strip, ttlInDays, retained } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TransactItem } from './transactions.js';

/**
 * An eligibility record: the shopper was offered (treatment) or held out
 * (holdout) by a campaign at an instant; conversions are attributed to it.
 *   pk T#<tenant>#S#<shopper>   sk ELIG#<at>#<campaignId>
 * TTL: 8 days (the 7-day attribution window plus a margin); the tenant's offersDays hides a record sooner.
 */
export interface EligibilityRecord {
  campaignId: string;
  side: 'treatment' | 'holdout';
  offerId: string | null;
  geofenceId: string;
  at: string;
}

const PREFIX = 'ELIG#';
const eligibilityKey = (tenantId: string, shopperId: string, campaignId: string, atIso: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${atIso}#${campaignId}`,
});

/** Is this shopper-partition item an eligibility record? */
export const isEligibilityItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** The item of an eligibility record, for a batch write (offers.ts writes it with the offers). */
export const eligibilityItem = (tenantId: string, shopperId: string, e: EligibilityRecord) => ({
  ...e,
  ...eligibilityKey(tenantId, shopperId, e.campaignId, e.at),
  ttl: ttlInDays(RETAINED_KINDS.eligibility.writtenDays),
});

/** Where a stream record's eligibility item lives (to mark it counted); opaque outside the store. */
export interface EligibilityRef {
  readonly key: Key;
}

/** The reference of an eligibility item as the stream gives it (its key attributes). */
export const eligibilityRefOf = (item: Record<string, unknown>): EligibilityRef => ({
  key: { pk: String(item.pk), sk: String(item.sk) },
});

/** A string naming the record (unique in the table): what a consumer counts it by. */
export const eligibilityRefId = (ref: EligibilityRef) => `${ref.key.pk}|${ref.key.sk}`;

/**
 * The transaction item that marks an eligibility record as counted in the
 * campaign's stats, refused if it already was (or was erased): the stream
 * consumer counts each record exactly once, however often it is redelivered.
 */
export function markCountedItem(ref: EligibilityRef): TransactItem {
  return {
    Update: {
      Key: ref.key,
      UpdateExpression: 'SET counted = :t',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(counted)',
      ExpressionAttributeValues: { ':t': true },
    },
  };
}

/** A shopper's eligibility records with `at` in [fromIso, toIso], within the tenant's retention. */
export async function listEligibility(
  tenantId: string,
  shopperId: string,
  fromIso: string,
  toIso: string,
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<EligibilityRecord[]> {
  const all = await queryPartition(shopperPartition(tenantId, shopperId), PREFIX);
  const r = await retention;
  const items = all.filter((i) => retained('eligibility', i, r, nowMs));
  return items
    .map((i) => strip(i) as unknown as EligibilityRecord)
    .filter((e) => String(e.at) >= fromIso && String(e.at) <= toIso);
}
