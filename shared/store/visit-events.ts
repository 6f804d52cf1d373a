import { updateDeliveryStatus } from './delivery-status.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { VisitEvent } from '../domain/visits/visits.js';
import { newId } from '../platform/ids.js';
import { DEFAULT_RETENTION, RETAINED_KINDS, type Retention } from '../domain/values/retention.js';
import { db, strip, table, ttlInDays, retained } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TaggedItem } from './transactions.js';

/**
 * A geofence event (domain/visits) kept for its webhook delivery: written in
 * the offer transaction that made it, marked for the outbox (the table's
 * stream queues it, as it queues offers), in the shopper's partition (exported
 * and erased with them). Fence id, times and confidence; never coordinates.
 *   pk T#<tenant>#S#<shopper>   sk VEVT#<eventId>
 * TTL: VISIT_EVENT_RETENTION_DAYS.
 */
export interface StoredVisitEvent {
  id: string;
  tenantId: string;
  shopperId: string;
  type: VisitEvent['type'];
  geofenceId: string;
  at: string;
  confidence: VisitEvent['confidence'];
  dwellMinutes?: number;
  createdAt: string;
  deliveryStatus: 'pending' | 'delivered' | 'failed' | 'not_configured';
  deliveryAttempts: number;
  /** Set by delivery: when the webhook took it, and the last failed attempt's error. */
  deliveredAt?: string;
  lastDeliveryError?: string;
}

export const VISIT_EVENT_RETENTION_DAYS = RETAINED_KINDS.visitEvent.writtenDays;
/** The outbox mark of a geofence event (see functions/stream.ts). */
export const OUTBOX_VISIT_EVENT = 'visit_event';

const PREFIX = 'VEVT#';
export const visitEventKey = (tenantId: string, shopperId: string, eventId: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${eventId}`,
});

/** Is this shopper-partition item a stored geofence event? */
export const isVisitEventItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** The puts of a fix's events, for the offer transaction (each a new item: ids are fresh). */
export function visitEventPuts(
  tenantId: string,
  shopperId: string,
  events: readonly VisitEvent[],
  createdAt: string,
): TaggedItem[] {
  return events.map((e) => {
    const id = newId('evt');
    const stored: StoredVisitEvent = {
      id,
      tenantId,
      shopperId,
      type: e.type,
      geofenceId: e.geofenceId,
      at: e.at,
      confidence: e.confidence,
      ...(e.dwellMinutes === undefined ? {} : { dwellMinutes: e.dwellMinutes }),
      createdAt,
      deliveryStatus: 'pending',
      deliveryAttempts: 0,
    };
    return {
      tag: `event:${id}`,
      item: {
        Put: {
          Item: {
            ...stored,
            ...visitEventKey(tenantId, shopperId, id),
            ttl: ttlInDays(VISIT_EVENT_RETENTION_DAYS),
            outbox: OUTBOX_VISIT_EVENT,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  });
}

/** One stored geofence event of a shopper: undefined when absent or past the tenant's retention. */
export async function getVisitEvent(
  tenantId: string,
  shopperId: string,
  eventId: string,
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<StoredVisitEvent | undefined> {
  const res = await db().send(
    new GetCommand({ TableName: table(), Key: visitEventKey(tenantId, shopperId, eventId), ConsistentRead: true }),
  );
  if (!res.Item || !retained('visitEvent', res.Item, await retention, nowMs)) return undefined;
  const { outbox: _o, ...event } = strip(res.Item);
  return event as unknown as StoredVisitEvent;
}

/**
 * Record a delivery outcome on the event: its status, its attempt count and
 * the last error. No-op, returning false, if the event was erased or
 * delivered meanwhile.
 */
export async function setVisitEventDeliveryStatus(
  tenantId: string,
  shopperId: string,
  eventId: string,
  status: StoredVisitEvent['deliveryStatus'],
  attempts: number,
  error?: string,
): Promise<boolean> {
  return updateDeliveryStatus(visitEventKey(tenantId, shopperId, eventId), status, attempts, error);
}
