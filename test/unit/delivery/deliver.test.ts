import { describe, expect, it } from 'vitest';
import {
  DEFER_RECEIVE_LIMIT,
  deferralS,
  deliveryGate,
  pauseMsAfterTimeout,
  redeliveryDelayS,
  visitEventPayload,
} from '../../../shared/delivery/deliver.js';
import type { StoredVisitEvent } from '../../../shared/store/visit-events.js';
import { QUEUE_DEF } from '../../../shared/store/table-def.js';

describe('delivery backoff', () => {
  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => redeliveryDelayS(n, 10))).toEqual([10, 20, 40, 80]);
    expect([1, 2, 3, 4].map((n) => redeliveryDelayS(n, 1))).toEqual([1, 2, 4, 8]);
  });

  it('never hides a message longer than 15 minutes', () => {
    expect(redeliveryDelayS(4, 300, 10)).toBe(900);
    expect(redeliveryDelayS(9, 10, 10)).toBe(900);
  });

  it('makes the message visible at once after the last attempt, so SQS moves it to the DLQ', () => {
    expect(redeliveryDelayS(5, 10)).toBe(0);
    expect(redeliveryDelayS(6, 10)).toBe(0);
    expect(redeliveryDelayS(3, 10, 3)).toBe(0);
  });
});

describe('the pause of a webhook that timed out', () => {
  it('lasts 30 s, or 6 webhook timeouts when that is longer', () => {
    expect(pauseMsAfterTimeout(5000)).toBe(30_000);
    expect(pauseMsAfterTimeout(10_000)).toBe(60_000);
  });

  it('lets a delivery through when the webhook is not paused', async () => {
    expect(await deliveryGate('t1', {}, 1, 5000)).toEqual({ go: true });
  });

  it('holds a delivery back until the pause ends, without using an attempt', async () => {
    const now = 1_700_000_000_000;
    expect(await deliveryGate('t1', { pausedUntil: now + 12_000 }, 3, 5000, now)).toEqual({ go: false, untilMs: now + 12_000 });
  });

  it('no longer holds back a message whose remaining receives are needed for its attempts', async () => {
    const now = 1_700_000_000_000;
    expect(DEFER_RECEIVE_LIMIT).toBe(QUEUE_DEF.maxReceiveCount - 2 * QUEUE_DEF.webhookAttempts);
    expect(DEFER_RECEIVE_LIMIT).toBeGreaterThan(QUEUE_DEF.webhookAttempts);
    expect(await deliveryGate('t1', { pausedUntil: now + 12_000 }, DEFER_RECEIVE_LIMIT, 5000, now)).toEqual({ go: true });
    expect(await deliveryGate('t1', { pausedUntil: now + 12_000 }, DEFER_RECEIVE_LIMIT - 1, 5000, now)).toMatchObject({
      go: false,
    });
  });

  it('hides a held-back message until the pause ends, plus up to 4 s of jitter, within SQS limits', () => {
    const now = 1_700_000_000_000;
    const waits = Array.from({ length: 200 }, () => deferralS(now + 12_300, now));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(13);
    expect(Math.max(...waits)).toBeLessThanOrEqual(17);
    expect(new Set(waits).size).toBeGreaterThan(1);
    expect(deferralS(now - 5000, now)).toBeGreaterThanOrEqual(1);
    expect(deferralS(now + 3 * 3600_000, now)).toBe(900);
  });
});

describe('the webhook payload of a geofence event', () => {
  const stored: StoredVisitEvent = {
    id: 'evt_1',
    tenantId: 't_1',
    shopperId: 's_1',
    type: 'geofence.entered',
    geofenceId: 'g_1',
    at: '2026-11-02T10:00:00.000Z',
    confidence: 'high',
    createdAt: '2026-11-02T10:00:01.000Z',
    deliveryStatus: 'pending',
    deliveryAttempts: 2,
    lastDeliveryError: 'HTTP 500',
  };

  it('is type, shopper, fence, time and confidence: no tenant, no delivery state', () => {
    expect(visitEventPayload(stored)).toEqual({
      type: 'geofence.entered',
      shopperId: 's_1',
      geofenceId: 'g_1',
      at: '2026-11-02T10:00:00.000Z',
      confidence: 'high',
    });
  });

  it('adds the threshold reached to a dwell, and to nothing else', () => {
    expect(visitEventPayload({ ...stored, type: 'geofence.dwelled', dwellMinutes: 5 })).toMatchObject({
      type: 'geofence.dwelled',
      dwellMinutes: 5,
    });
    expect(visitEventPayload({ ...stored, type: 'geofence.exited', dwellMinutes: 5 })).not.toHaveProperty('dwellMinutes');
  });
});
