import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, withDefaults } from '../../../shared/domain/values/retention.js';
import { groupShopperItems } from '../../../shared/store/shoppers.js';

const pk = 'T#ten_1#S#shopper-1';

describe('shopper export grouping', () => {
  it('puts every item of the shopper partition under its kind, without storage attributes', () => {
    const grouped = groupShopperItems(
      [
        { pk, sk: 'PROFILE', firstName: 'Miren', ttl: 1 },
        { pk, sk: 'OFFER#of_1', id: 'of_1', tenantId: 'ten_1', title: 'Hi', ttl: 2 },
        { pk, sk: 'CAP#cmp_1', campaignId: 'cmp_1', slots: {}, version: 1, ttl: 3 },
        { pk, sk: 'ELIG#2025-03-01T10:00:00.000Z#cmp_1', campaignId: 'cmp_1', side: 'treatment', ttl: 4 },
        { pk, sk: 'CONV#cv_1', id: 'cv_1', amount: 20, ttl: 5 },
        { pk, sk: 'LOC', cell: '88392b1ab7fffff', ttl: 6 },
        { pk, sk: 'VISITS', fences: { gf_1: { enteredAt: '2025-03-01T10:00:00.000Z' } }, version: 2, ttl: 8 },
        { pk, sk: 'VEVT#evt_1', id: 'evt_1', tenantId: 'ten_1', type: 'geofence.entered', geofenceId: 'gf_1', ttl: 9 },
        { pk, sk: 'SEEN#cmp_1#D#2025-03-01', ttl: 1_767_225_600 },
        { pk, sk: 'IDEMREF#key_1#idem-1', keyId: 'key_1', idempotencyKey: 'idem-1', ttl: 7 },
        // At the epoch: every TTL above is still ahead.
      ],
      DEFAULT_RETENTION,
      0,
    );
    expect(grouped).toEqual({
      profile: { firstName: 'Miren' },
      offers: [{ id: 'of_1', title: 'Hi' }],
      frequencyCaps: [{ campaignId: 'cmp_1', slots: {}, version: 1 }],
      eligibility: [{ campaignId: 'cmp_1', side: 'treatment' }],
      conversions: [{ id: 'cv_1', amount: 20 }],
      location: [{ cell: '88392b1ab7fffff' }],
      visits: [{ fences: { gf_1: { enteredAt: '2025-03-01T10:00:00.000Z' } }, version: 2 }],
      visitEvents: [{ id: 'evt_1', type: 'geofence.entered', geofenceId: 'gf_1' }],
      statsMarkers: [{ key: 'cmp_1#D#2025-03-01', expiresAt: '2026-01-01T00:00:00.000Z' }],
      idempotencyRecords: [{ keyId: 'key_1', idempotencyKey: 'idem-1' }],
    });
  });

  it("leaves out what is past its TTL or the tenant's retention, whether or not DynamoDB deleted it yet", () => {
    const nowS = 1_800_000_000;
    const items = [
      { pk, sk: 'PROFILE', firstName: 'Miren', ttl: nowS + 10 * 86_400 }, // written 720 days ago
      { pk, sk: 'CAP#cmp_1', campaignId: 'cmp_1', ttl: nowS - 1 },
      { pk, sk: 'LOC', cell: '88392b1ab7fffff', ttl: nowS + 29 * 86_400 }, // written a day ago
      { pk, sk: 'SEEN#cmp_1#T', ttl: nowS + 200 * 86_400 }, // marked 200 days ago
    ];
    const atDefaults = groupShopperItems(items, DEFAULT_RETENTION, nowS * 1000);
    expect(atDefaults.profile).toEqual({ firstName: 'Miren' });
    expect(atDefaults.frequencyCaps).toEqual([]);
    expect(atDefaults.location).toHaveLength(1);
    expect(atDefaults.statsMarkers).toEqual([
      { key: 'cmp_1#T', expiresAt: new Date((nowS + 200 * 86_400) * 1000).toISOString() },
    ]);
    const strict = groupShopperItems(items, withDefaults({ profileDays: 300, locationDays: 1 }), nowS * 1000);
    expect(strict.profile).toBeNull();
    expect(strict.location).toEqual([]);
    // Marked 200 days ago, kept 300: 100 days left.
    expect(strict.statsMarkers).toEqual([{ key: 'cmp_1#T', expiresAt: new Date((nowS + 100 * 86_400) * 1000).toISOString() }]);
  });

  it('answers a null profile and empty kinds for an unknown shopper', () => {
    expect(groupShopperItems([])).toMatchObject({ profile: null, offers: [], visitEvents: [], statsMarkers: [] });
    expect(groupShopperItems([])).not.toHaveProperty('other');
  });

  it('keeps items of a kind it does not know under other', () => {
    expect(groupShopperItems([{ pk, sk: 'LATER#1', x: 1 }]).other).toEqual([{ x: 1 }]);
  });
});
