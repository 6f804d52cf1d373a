import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliveryMessage, exposureCounts, outboxEntry } from '../../../shared/services/outbox.js';

const record = (eventName: DynamoDBRecord['eventName'], item: Record<string, unknown>, seq = '7'): DynamoDBRecord => ({
  eventName,
  dynamodb: { SequenceNumber: seq, NewImage: marshall(item, { removeUndefinedValues: true }) as never },
});

describe('outboxEntry', () => {
  it('reads a new offer as its delivery message, with the request id', () => {
    const e = outboxEntry(
      record('INSERT', {
        outbox: 'offer',
        id: 'of_1',
        tenantId: 't1',
        shopperId: 's1',
        requestId: 'r-1',
        title: 'x',
        code: null,
      }),
    );
    expect(e).toEqual({ kind: 'offer', seq: '7', tenantId: 't1', shopperId: 's1', offerId: 'of_1', requestId: 'r-1' });
  });

  it('reads a new eligibility record as an exposure to count', () => {
    const e = outboxEntry(
      record('INSERT', {
        pk: 'P',
        sk: 'S',
        outbox: 'exposure',
        tenantId: 't1',
        shopperId: 's1',
        campaignId: 'c1',
        side: 'holdout',
        geofenceId: 'g1',
        at: '2026-12-01T10:00:00.000Z',
      }),
    );
    expect(e).toMatchObject({
      kind: 'exposure',
      tenantId: 't1',
      shopperId: 's1',
      campaignId: 'c1',
      side: 'holdout',
      geofenceId: 'g1',
    });
  });

  it('reads a new geofence event as its delivery message: identifiers and type only', () => {
    const e = outboxEntry(
      record('INSERT', {
        pk: 'T#t1#S#s1',
        sk: 'VEVT#evt_1',
        outbox: 'visit_event',
        id: 'evt_1',
        tenantId: 't1',
        shopperId: 's1',
        type: 'geofence.dwelled',
        geofenceId: 'g1',
        at: '2026-12-01T10:00:00.000Z',
        confidence: 'high',
        dwellMinutes: 5,
        deliveryStatus: 'pending',
        deliveryAttempts: 0,
      }),
    );
    expect(e).toEqual({
      kind: 'visit_event',
      seq: '7',
      tenantId: 't1',
      shopperId: 's1',
      eventId: 'evt_1',
      type: 'geofence.dwelled',
    });
    expect(deliveryMessage(e as never)).toEqual({ type: 'geofence.dwelled', tenantId: 't1', shopperId: 's1', eventId: 'evt_1' });
  });

  it('skips a geofence event it could not deliver (unknown type, no ids)', () => {
    const event = { outbox: 'visit_event', id: 'evt_1', tenantId: 't1', shopperId: 's1', type: 'geofence.entered' };
    expect(outboxEntry(record('INSERT', { ...event, type: 'geofence.lingered' }))).toBeUndefined();
    expect(outboxEntry(record('INSERT', { ...event, id: undefined }))).toBeUndefined();
    expect(outboxEntry(record('INSERT', { ...event, tenantId: 7 }))).toBeUndefined();
  });

  it('makes an offer the same four-field message as before', () => {
    const e = outboxEntry(record('INSERT', { outbox: 'offer', id: 'of_1', tenantId: 't1', shopperId: 's1', requestId: 'r-1' }));
    expect(deliveryMessage(e as never)).toEqual({ type: 'offer.created', tenantId: 't1', shopperId: 's1', offerId: 'of_1' });
  });

  it('ignores changes, deletions and items not marked for the outbox', () => {
    expect(outboxEntry(record('MODIFY', { outbox: 'offer', id: 'of_1', tenantId: 't', shopperId: 's' }))).toBeUndefined();
    expect(outboxEntry(record('REMOVE', { outbox: 'offer', id: 'of_1', tenantId: 't', shopperId: 's' }))).toBeUndefined();
    expect(outboxEntry(record('INSERT', { pk: 'x', tags: [], metadata: {} }))).toBeUndefined();
    expect(
      outboxEntry(
        record('MODIFY', { outbox: 'visit_event', id: 'evt_1', tenantId: 't', shopperId: 's', type: 'geofence.entered' }),
      ),
    ).toBeUndefined();
  });
});

describe('exposureCounts', () => {
  const at = '2026-12-01T10:00:00.000Z';
  it('counts an offer in the totals, its day and its geofence, shoppers only the first time', () => {
    const first = { campaign: true, day: false, geofence: true };
    expect(exposureCounts({ campaignId: 'c', side: 'treatment', geofenceId: 'g', at }, first)).toEqual([
      { ref: { campaignId: 'c', row: 'totals' }, add: { offered: 1, eligible: 1, treatmentShoppers: 1 } },
      { ref: { campaignId: 'c', row: 'day', day: '2026-12-01' }, add: { offered: 1, shoppers: 0 } },
      { ref: { campaignId: 'c', row: 'geofence', geofenceId: 'g' }, add: { offered: 1, shoppers: 1 } },
    ]);
  });

  it('counts a held-out shopper in the totals only', () => {
    expect(
      exposureCounts({ campaignId: 'c', side: 'holdout', geofenceId: 'g', at }, { campaign: false, day: false, geofence: false }),
    ).toEqual([{ ref: { campaignId: 'c', row: 'totals' }, add: { heldOut: 1, eligible: 1, holdoutShoppers: 0 } }]);
  });
});
