import { describe, expect, it } from 'vitest';
import { splitCampaignStats } from '../../../shared/store/counters.js';

const pk = 'T#ten_1#C#cmp_1';

describe('campaign stats items', () => {
  // Regression: the rows were read with a sort-key prefix that could never return the totals item,
  // and then filtered for it (a filter that never matched). Totals and rows now come from one query.
  it('keeps the totals item out of the rows when one query returns both', () => {
    const stats = splitCampaignStats([
      { pk, sk: 'STATS', offered: 3, used: 3, treatmentShoppers: 2 },
      { pk, sk: 'STATS#DAY#2025-03-01', dimension: 'DAY', value: '2025-03-01', offered: 2, shoppers: 2 },
      { pk, sk: 'STATS#GF#gf_1', dimension: 'GF', value: 'gf_1', offered: 3, shoppers: 2, redeemed: 1 },
    ]);
    expect(stats).toEqual({
      totals: { offered: 3, used: 3, treatmentShoppers: 2 },
      byDay: [{ key: '2025-03-01', offered: 2, shoppers: 2 }],
      byGeofence: [{ key: 'gf_1', offered: 3, shoppers: 2, redeemed: 1 }],
    });
  });

  it('reads a row by its key even without the dimension attributes', () => {
    const stats = splitCampaignStats([{ pk, sk: 'STATS#DAY#2025-03-02', redeemed: 1, redeemers: 1 }]);
    expect(stats.byDay).toEqual([{ key: '2025-03-02', redeemed: 1, redeemers: 1 }]);
    expect(stats.byGeofence).toEqual([]);
  });

  it('answers empty totals for a campaign nothing was counted for yet', () => {
    expect(splitCampaignStats([])).toEqual({ totals: {}, byDay: [], byGeofence: [] });
  });

  it('ignores other items of the partition', () => {
    expect(
      splitCampaignStats([
        { pk, sk: 'STATSX' },
        { pk, sk: 'OTHER#1', offered: 9 },
      ]),
    ).toEqual({ totals: {}, byDay: [], byGeofence: [] });
  });
});
