import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { NO_VISITS, type FenceVisit, type VisitState } from '../domain/visits/visits.js';
import { DEFAULT_RETENTION, RETAINED_KINDS, type Retention } from '../domain/values/retention.js';
import { db, table, ttlInDays, retained } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TaggedItem } from './transactions.js';

/**
 * A shopper's visit state: the geofences they are inside, entry time and last
 * time seen inside, per fence (domain/visits). Never coordinates.
 *   pk T#<tenant>#S#<shopper>   sk VISITS
 * TTL: 7 days after its latest write (the tenant's visitsDays hides it sooner). In the shopper's partition,
 * so it is exported and erased with them. Read beside the profile on the offer
 * path, written in the offer transaction, conditioned on the version read: two
 * concurrent fixes of one shopper cannot both enter a fence.
 */
const SK = 'VISITS';
const visitsKey = (tenantId: string, shopperId: string): Key => ({ pk: shopperPartition(tenantId, shopperId), sk: SK });

/** Is this shopper-partition item the visit state? */
export const isVisitsItem = (item: Record<string, unknown>) => item.sk === SK;

/** The visit state of a stored item (or none: absent, or past the tenant's retention). */
export function visitStateOf(
  item: Record<string, unknown> | undefined,
  now = Date.now(),
  retention: Retention = DEFAULT_RETENTION,
): VisitState {
  if (!item || !retained('visits', item, retention, now))
    return { ...NO_VISITS, version: typeof item?.version === 'number' ? item.version : 0 };
  return {
    fences: (item.fences ?? {}) as Record<string, FenceVisit>,
    latestAt: typeof item.latestAt === 'string' ? item.latestAt : null,
    version: typeof item.version === 'number' ? item.version : 0,
    ...(item.counted && typeof item.counted === 'object' ? { counted: item.counted as Record<string, string> } : {}),
  };
}

/** The shopper's visit state (strongly consistent: the next fix must see the last one's). */
export async function getVisits(
  tenantId: string,
  shopperId: string,
  now = Date.now(),
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
): Promise<VisitState> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: visitsKey(tenantId, shopperId), ConsistentRead: true }));
  return visitStateOf(res.Item, now, await retention);
}

/** The write of the next state, for the offer transaction: refused (tag `visits`) when another fix wrote first. */
export function putVisitsItem(tenantId: string, shopperId: string, next: VisitState, readVersion: number): TaggedItem {
  return {
    tag: 'visits',
    item: {
      Put: {
        Item: {
          ...visitsKey(tenantId, shopperId),
          fences: next.fences,
          latestAt: next.latestAt,
          ...(next.counted ? { counted: next.counted } : {}),
          version: readVersion + 1,
          // From the write, not the fix: a server replaying last month's walk keeps its state while it replays.
          ttl: ttlInDays(RETAINED_KINDS.visits.writtenDays),
        },
        // Only the version read: a state erased meanwhile (DELETE /v1/shoppers) is not written back.
        ...(readVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } }),
      },
    },
  };
}
