import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { VISIT_EVENT_TYPES, type VisitEventType } from '../domain/visits/visits.js';
import type { DeliveryMessage } from '../delivery/messages.js';
import { MAX_BATCH, queueDeliveryMessages } from '../delivery/queue.js';
import { errorFields, log } from '../platform/log.js';
import { count } from '../platform/metrics.js';
import { counterAddItem, type CounterField, type CounterRowRef } from '../store/counters.js';
import { eligibilityRefId, eligibilityRefOf, markCountedItem, type EligibilityRef } from '../store/eligibility.js';
import { OUTBOX_EXPOSURE, OUTBOX_OFFER } from '../store/offers.js';
import { tenantRetention } from './offer-config.js';
import { markCampaignShopperSeen, markDaySeen, markGeofenceSeen, unmarkExposure } from '../store/seen-markers.js';
import { MAX_TRANSACT_ITEMS, transactWrite, type TaggedItem } from '../store/transactions.js';
import { OUTBOX_VISIT_EVENT } from '../store/visit-events.js';

/**
 * The outbox: what the offer path's transaction leaves for later, read from
 * the table's stream. A new offer becomes its delivery message (SQS); a new
 * eligibility record (offered or held out) becomes counts in its campaign's
 * stats, added in batches so no counter item is written per offer. Nothing
 * here runs during an offer request: an SQS outage delays delivery and a
 * slow stats write delays stats, neither fails nor slows the request.
 */
export type OutboxEntry =
  | { kind: 'offer'; seq: string; tenantId: string; shopperId: string; offerId: string; requestId?: string }
  | { kind: 'visit_event'; seq: string; tenantId: string; shopperId: string; eventId: string; type: VisitEventType }
  | {
      kind: 'exposure';
      seq: string;
      tenantId: string;
      shopperId: string;
      campaignId: string;
      side: 'treatment' | 'holdout';
      geofenceId: string;
      at: string;
      ref: EligibilityRef;
    };

/** What a stream record asks of the outbox, if anything (only new items marked `outbox`). Pure. */
export function outboxEntry(record: DynamoDBRecord): OutboxEntry | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  // Only items marked for the outbox are read (the AWS event source filters the rest out before the call).
  const mark = (record.dynamodb.NewImage as Record<string, { S?: string }>).outbox?.S;
  if (mark !== OUTBOX_OFFER && mark !== OUTBOX_EXPOSURE && mark !== OUTBOX_VISIT_EVENT) return undefined;
  const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  const seq = String(record.dynamodb.SequenceNumber ?? '');
  if (item.outbox === OUTBOX_OFFER)
    return {
      kind: 'offer',
      seq,
      tenantId: String(item.tenantId),
      shopperId: String(item.shopperId),
      offerId: String(item.id),
      ...(typeof item.requestId === 'string' ? { requestId: item.requestId } : {}),
    };
  if (item.outbox === OUTBOX_VISIT_EVENT) {
    const { tenantId, shopperId, id, type } = item;
    if (typeof tenantId !== 'string' || typeof shopperId !== 'string' || typeof id !== 'string') return undefined;
    if (!VISIT_EVENT_TYPES.includes(type)) return undefined;
    return { kind: 'visit_event', seq, tenantId, shopperId, eventId: id, type };
  }
  if (item.outbox === OUTBOX_EXPOSURE) {
    const { tenantId, shopperId } = item;
    if (typeof tenantId !== 'string' || typeof shopperId !== 'string') return undefined;
    return {
      kind: 'exposure',
      seq,
      tenantId,
      shopperId,
      campaignId: String(item.campaignId),
      side: item.side === 'holdout' ? 'holdout' : 'treatment',
      geofenceId: String(item.geofenceId),
      at: String(item.at),
      ref: eligibilityRefOf(item),
    };
  }
  return undefined;
}

/**
 * Act on one batch of stream records, in order. Returns the sequence number of
 * the first record that could not be handled (the stream event source retries
 * from there), or undefined when all went through. Redelivery is harmless:
 * delivery skips an offer or event already delivered, and an eligibility record is
 * counted once (it is marked counted in the same transaction as the counts).
 */
export async function processOutbox(records: DynamoDBRecord[]): Promise<string | undefined> {
  const entries = records.map(outboxEntry).filter((e): e is OutboxEntry => !!e);
  const deliveries = entries.filter((e) => e.kind === 'offer' || e.kind === 'visit_event');
  const exposures = entries.filter((e) => e.kind === 'exposure');
  const [queued, counted] = await Promise.allSettled([queueAll(deliveries), countExposures(exposures)]);
  const failedSeqs: string[] = [];
  if (queued.status === 'rejected') {
    log('warn', 'outbox: queueing deliveries failed', { deliveries: deliveries.length, ...errorFields(queued.reason) });
    failedSeqs.push(...deliveries.map((o) => o.seq));
  } else failedSeqs.push(...queued.value);
  if (counted.status === 'rejected') {
    log('warn', 'outbox: counting exposures failed', { exposures: exposures.length, ...errorFields(counted.reason) });
    failedSeqs.push(...exposures.map((e) => e.seq));
  }
  if (!failedSeqs.length) return undefined;
  // The first failed record in stream order: everything from it on comes again.
  return records.map((r) => String(r.dynamodb?.SequenceNumber ?? '')).find((s) => failedSeqs.includes(s));
}

type Delivery = Extract<OutboxEntry, { kind: 'offer' | 'visit_event' }>;

/** The queue message of an offer or a geofence event: identifiers only. Pure. */
export function deliveryMessage(d: Delivery): DeliveryMessage {
  return d.kind === 'offer'
    ? { type: 'offer.created', tenantId: d.tenantId, shopperId: d.shopperId, offerId: d.offerId }
    : { type: d.type, tenantId: d.tenantId, shopperId: d.shopperId, eventId: d.eventId };
}

/** Queue the offers and events, 10 per SendMessageBatch; returns the sequence numbers of those SQS did not take. */
async function queueAll(deliveries: Delivery[]): Promise<string[]> {
  const failed: string[] = [];
  let offersQueued = 0;
  for (let i = 0; i < deliveries.length; i += MAX_BATCH) {
    const chunk = deliveries.slice(i, i + MAX_BATCH);
    const refused = new Set(
      await queueDeliveryMessages(
        chunk.map((d) => ({ message: deliveryMessage(d), requestId: d.kind === 'offer' ? d.requestId : undefined })),
      ),
    );
    chunk.forEach((d, j) => {
      if (refused.has(j)) failed.push(d.seq);
      else if (d.kind === 'offer') offersQueued++;
    });
  }
  if (offersQueued) count('OffersQueued', offersQueued);
  return failed;
}

type Exposure = Extract<OutboxEntry, { kind: 'exposure' }>;

/** The counts one exposure adds, given which distinct-shopper rows it is the first of. Pure. */
export function exposureCounts(
  e: Pick<Exposure, 'campaignId' | 'side' | 'geofenceId' | 'at'>,
  first: { campaign: boolean; day: boolean; geofence: boolean },
): { ref: CounterRowRef; add: Partial<Record<CounterField, number>> }[] {
  if (e.side === 'holdout')
    return [
      {
        ref: { campaignId: e.campaignId, row: 'totals' },
        add: { heldOut: 1, eligible: 1, holdoutShoppers: first.campaign ? 1 : 0 },
      },
    ];
  return [
    {
      ref: { campaignId: e.campaignId, row: 'totals' },
      add: { offered: 1, eligible: 1, treatmentShoppers: first.campaign ? 1 : 0 },
    },
    { ref: { campaignId: e.campaignId, row: 'day', day: e.at.slice(0, 10) }, add: { offered: 1, shoppers: first.day ? 1 : 0 } },
    {
      ref: { campaignId: e.campaignId, row: 'geofence', geofenceId: e.geofenceId },
      add: { offered: 1, shoppers: first.geofence ? 1 : 0 },
    },
  ];
}

const refKey = (tenantId: string, r: CounterRowRef) =>
  `${tenantId}|${r.campaignId}|${r.row}|${r.row === 'day' ? r.day : r.row === 'geofence' ? r.geofenceId : ''}`;

/**
 * Count exposures into campaign stats: first the distinct-shopper markers
 * (conditional puts in the shopper's partition, keyed by the record so a
 * retry answers the same), then per chunk ONE transaction that marks each
 * record counted and adds the summed counts to each counter item once. A
 * record counted before (a redelivery) or erased meanwhile refuses its mark:
 * it is dropped and the rest retried.
 */
async function countExposures(exposures: Exposure[]): Promise<void> {
  if (!exposures.length) return;
  // Each tenant's retention once per batch (a marker past it counts the shopper again).
  const nowMs = Date.now();
  const retentions = new Map<string, ReturnType<typeof tenantRetention>>();
  const retentionOf = (tenantId: string) => {
    if (!retentions.has(tenantId)) retentions.set(tenantId, tenantRetention(tenantId, nowMs));
    return retentions.get(tenantId)!;
  };
  const firsts = await Promise.all(
    exposures.map(async (e) => {
      const o = { by: eligibilityRefId(e.ref), retention: await retentionOf(e.tenantId), nowMs };
      const [campaign, day, geofence] = await Promise.all([
        markCampaignShopperSeen(e.tenantId, e.shopperId, e.campaignId, e.side, o),
        e.side === 'treatment' ? markDaySeen(e.tenantId, e.shopperId, e.campaignId, e.at.slice(0, 10), o) : false,
        e.side === 'treatment' ? markGeofenceSeen(e.tenantId, e.shopperId, e.campaignId, e.geofenceId, o) : false,
      ]);
      return { campaign, day, geofence };
    }),
  );
  let pending = exposures.map((e, i) => ({ e, first: firsts[i] }));
  while (pending.length) {
    // As many records as fit one transaction with their counter items.
    const chunk: typeof pending = [];
    const rows = new Set<string>();
    for (const x of pending) {
      const more = exposureCounts(x.e, x.first).filter((c) => !rows.has(refKey(x.e.tenantId, c.ref))).length;
      if (chunk.length + 1 + rows.size + more > MAX_TRANSACT_ITEMS) break;
      chunk.push(x);
      for (const c of exposureCounts(x.e, x.first)) rows.add(refKey(x.e.tenantId, c.ref));
    }
    pending = pending.slice(chunk.length);
    let live = chunk;
    for (let attempt = 0; live.length; attempt++) {
      if (attempt >= 8) throw new Error('exposure counting kept conflicting');
      const outcome = await transactWrite(countingItems(live));
      if (outcome.ok) break;
      const refused = new Set(outcome.refused);
      // A record refused because it is gone (the shopper was erased meanwhile): take back the markers it set.
      const erased = live.filter((x) => {
        const tag = `counted:${eligibilityRefId(x.e.ref)}`;
        return refused.has(tag) && outcome.found.get(tag) === undefined;
      });
      await Promise.all(
        erased.map(({ e }) =>
          unmarkExposure(e.tenantId, e.shopperId, e.campaignId, e.side, e.at.slice(0, 10), e.geofenceId, eligibilityRefId(e.ref)),
        ),
      );
      live = live.filter((x) => !refused.has(`counted:${eligibilityRefId(x.e.ref)}`));
      if (!refused.size) await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
  count('ExposuresCounted', exposures.length);
}

function countingItems(xs: { e: Exposure; first: { campaign: boolean; day: boolean; geofence: boolean } }[]): TaggedItem[] {
  const sums = new Map<string, { tenantId: string; ref: CounterRowRef; add: Partial<Record<CounterField, number>> }>();
  for (const { e, first } of xs)
    for (const c of exposureCounts(e, first)) {
      const k = refKey(e.tenantId, c.ref);
      const sum = sums.get(k) ?? { tenantId: e.tenantId, ref: c.ref, add: {} };
      for (const [f, v] of Object.entries(c.add) as [CounterField, number][]) sum.add[f] = (sum.add[f] ?? 0) + v;
      sums.set(k, sum);
    }
  return [
    ...xs.map(({ e }) => ({ tag: `counted:${eligibilityRefId(e.ref)}`, item: markCountedItem(e.ref) })),
    ...[...sums.entries()].flatMap(([k, s]) => {
      const item = counterAddItem(s.tenantId, s.ref, s.add);
      return item ? [{ tag: `counter:${k}`, item }] : [];
    }),
  ];
}
