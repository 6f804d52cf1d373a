import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOLDOUT_BUCKETS, holdoutBucket, isHeldOut } from '../../../../shared/domain/targeting/index.js';

const SHOPPERS = Array.from({ length: 10_000 }, (_, i) => `shp_${i.toString(36).padStart(6, '0')}`);
const heldOutShare = (campaignId: string, percent: number) =>
  SHOPPERS.filter((s) => isHeldOut(campaignId, s, percent)).length / SHOPPERS.length;

describe('holdout', () => {
  it('derives the bucket from the first 48 bits of SHA-256 of "campaignId:shopperId"', () => {
    // sha256("cmp_1:shp_1") starts 2aff0b658ba7 -> 47274981395367 % 10000 = 1335
    expect(holdoutBucket('cmp_1', 'shp_1')).toBe(1335);
    // sha256("summer-sale:shopper-42") starts 7e51ebecc0c7 -> 2359
    expect(holdoutBucket('summer-sale', 'shopper-42')).toBe(2359);
    expect(isHeldOut('cmp_1', 'shp_1', 13.35)).toBe(false);
    expect(isHeldOut('cmp_1', 'shp_1', 13.36)).toBe(true);
    expect(isHeldOut('cmp_1', 'shp_1', 14)).toBe(true);
    expect(isHeldOut('cmp_1', 'shp_1', 13)).toBe(false);
  });

  it('always puts the same shopper on the same side of the same campaign', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 50 }), (campaignId, shopperId, percent) => {
        const bucket = holdoutBucket(campaignId, shopperId);
        expect(bucket).toBeGreaterThanOrEqual(0);
        expect(bucket).toBeLessThan(HOLDOUT_BUCKETS);
        expect(Number.isInteger(bucket)).toBe(true);
        expect(holdoutBucket(campaignId, shopperId)).toBe(bucket);
        expect(isHeldOut(campaignId, shopperId, percent)).toBe(isHeldOut(campaignId, shopperId, percent));
      }),
    );
  });

  it('keeps a held-out shopper held out when the percentage grows', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 49 }), (shopperId, percent) => {
        if (isHeldOut('cmp_grow', shopperId, percent)) expect(isHeldOut('cmp_grow', shopperId, percent + 1)).toBe(true);
      }),
    );
  });

  it.each([10, 25, 50])('holds out %i%% of 10,000 shoppers, within 2 points', (percent) => {
    const share = heldOutShare('cmp_lift_test', percent);
    expect(Math.abs(share * 100 - percent)).toBeLessThanOrEqual(2);
  });

  it('holds out nobody at 0% (or below)', () => {
    expect(heldOutShare('cmp_lift_test', 0)).toBe(0);
    expect(heldOutShare('cmp_lift_test', -5)).toBe(0);
    expect(heldOutShare('cmp_lift_test', Number.NaN)).toBe(0);
  });

  it('draws independent control groups for different campaigns', () => {
    const a = new Set(SHOPPERS.filter((s) => isHeldOut('cmp_a', s, 50)));
    const both = SHOPPERS.filter((s) => a.has(s) && isHeldOut('cmp_b', s, 50)).length / SHOPPERS.length;
    // Independent 50 % groups overlap on about a quarter of shoppers, not on half.
    expect(Math.abs(both - 0.25)).toBeLessThanOrEqual(0.02);
  });
});
