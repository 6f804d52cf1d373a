import { describe, expect, it } from 'vitest';
import { shopperPartition } from '../../shared/store/keys.js';
import { api, newTenant, unique } from '../support/api.js';
import { consentingShopper, offersFor, storeFenceCampaign } from '../support/marketing-fixtures.js';
import { storedItems } from '../support/principal.js';

const spot = { lat: 43.2627, lng: -2.935 };
describe('erasure racing the outbox', () => {
  // Regression: the stream consumer set distinct-shopper markers for an offer whose shopper was erased a moment later.
  it('leaves nothing of a shopper erased right after an offer', async () => {
    const t = await newTenant();
    await storeFenceCampaign(t.adminKey, spot);
    const left: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const shopper = unique('erase-now');
      await consentingShopper(t.adminKey, shopper);
      expect((await offersFor(t.adminKey, shopper, spot)).offers).toHaveLength(1);
      expect((await api('DELETE', `/v1/shoppers/${shopper}`, { key: t.adminKey })).status).toBe(204);
      await new Promise((r) => setTimeout(r, 1500));
      left.push(...(await storedItems({ partitions: [shopperPartition(t.id, shopper)] })));
    }
    expect(left).toEqual([]);
  }, 60_000);
});
