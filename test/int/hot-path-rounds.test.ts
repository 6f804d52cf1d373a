import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../shared/platform/config.js';
import { getDdb, getSqs } from '../../shared/platform/clients.js';
import { createCampaign } from '../../shared/services/campaigns.js';
import { seedGeofences } from '../../shared/services/geo.js';
import { setConfigCacheTtlS } from '../../shared/services/offer-config.js';
import { requestOffers } from '../../shared/services/offers.js';
import { putShopper } from '../../shared/services/shoppers.js';
import { createTenant } from '../../shared/services/tenants.js';
import { installMeter, type DdbMeter } from '../support/ddb-meter.js';
import { CONSENT } from '../support/marketing.js';
import { ownTable } from '../support/own-table.js';
import { withPatientStore } from '../support/patient-store.js';
import { adminPrincipal, countRequests } from '../support/principal.js';

/**
 * The bound written in shared/services/offers.ts, pinned: after
 * authorization, a request that matches no geofence makes 1 sequential
 * DynamoDB round, one that makes an offer 2 (the lookup with the profile and
 * the caps, then one transaction), whether the tenant has 10 geofences or
 * 10,000; a container whose configuration cache is cold makes 3. A round
 * added anywhere on the path fails this test.
 */
const HERE = { lat: 41.387, lng: 2.17 };
const NOWHERE = { lat: 41.2, lng: 1.7 };

async function tenantWith(fences: number) {
  const { tenant } = await createTenant(`rounds-${fences}`);
  const p = adminPrincipal(tenant.id);
  // One fence on the point, the rest small circles spread over Europe, away from both probe points.
  const [here] = await seedGeofences(p, [
    { name: 'here', geometry: { type: 'Circle', coordinates: [HERE.lng, HERE.lat], radiusM: 200 } },
  ]);
  const filler = Array.from({ length: fences - 1 }, (_, i) => ({
    name: `f${i}`,
    geometry: {
      type: 'Circle',
      coordinates: [-9 + (i % 100) * 0.3, 44 + Math.floor(i / 100) * 0.1],
      radiusM: 20 + (i % 5) * 20,
    },
  }));
  await seedGeofences(p, filler);
  const campaign = await createCampaign(p, {
    name: 'rounds',
    kind: 'location',
    status: 'active',
    geofenceIds: [here],
    offer: { title: 'Hello', body: 'Ten percent off', validForMinutes: 60 },
    budget: { maxOffers: 1000 },
    frequencyCap: { maxOffers: 1, perHours: 24 },
  } as never);
  return { p, campaign };
}

describe('offer hot path rounds', () => {
  let meter: DdbMeter;
  let small: Awaited<ReturnType<typeof tenantWith>>;
  let large: Awaited<ReturnType<typeof tenantWith>>;

  // On a table of its own: 10,000 fences are ~117,000 index rows, which would otherwise weigh on every other test
  // file sharing the local DynamoDB (and on any scan of it); the table goes when the file is done.
  const sharedTable = process.env.TABLE_NAME;
  let table: Awaited<ReturnType<typeof ownTable>>;

  beforeAll(async () => {
    table = await ownTable('rounds');
    process.env.TABLE_NAME = table.tableName;
    resetConfig();
    setConfigCacheTtlS(30);
    // Seeded with a client that waits for the busy local server.
    [small, large] = await withPatientStore(() => Promise.all([tenantWith(10), tenantWith(10_000)]));
    meter = installMeter(getDdb());
  }, 600_000);
  afterAll(async () => {
    meter?.uninstall();
    setConfigCacheTtlS(Number(process.env.CONFIG_CACHE_TTL_S ?? 30));
    process.env.TABLE_NAME = sharedTable;
    resetConfig();
    await table?.drop();
  });

  let n = 0;
  async function measure(t: typeof small, at: { lat: number; lng: number }) {
    const shopperId = `rounds-${++n}`;
    await putShopper(t.p, shopperId, { consent: { ...CONSENT } });
    const sqs = await countRequests(getSqs(), () =>
      meter.request(shopperId, () => requestOffers(t.p, { shopperId, location: { ...at, accuracyM: 10 } })),
    );
    // Delivery is the outbox's (the table's stream), never the request's: no SQS call.
    expect(sqs.commands).toEqual([]);
    return sqs.result;
  }

  it('makes 1 round for a location that matches nothing and 2 for one that makes an offer, with 10 and with 10,000 geofences', async () => {
    for (const t of [small, large]) {
      // The first request of a container fills its configuration cache: the tenant's links and partner names
      // beside the lookup (same round), then the campaign (one more round), once per TTL.
      setConfigCacheTtlS(30);
      const cold = await measure(t, HERE);
      expect(cold.result.result.offers.map((o) => o.campaignId)).toEqual([t.campaign.id]);
      expect(cold.rounds).toBe(3);

      const none = await measure(t, NOWHERE);
      expect(none.result.result).toEqual({ offers: [], geofences: [], events: [] });
      expect(none.rounds).toBe(1);
      expect(none.commands.sort()).toEqual(['GetItem', 'GetItem', 'Query', 'Query', 'Query', 'Query']);

      const offer = await measure(t, HERE);
      expect(offer.result.result.offers.map((o) => o.campaignId)).toEqual([t.campaign.id]);
      expect(offer.rounds).toBe(2);
      expect(offer.commands.sort()).toEqual(['GetItem', 'GetItem', 'Query', 'Query', 'Query', 'Query', 'TransactWriteItems']);
    }
  }, 120_000);

  it('sends the same calls for 10 and for 10,000 geofences', async () => {
    // Both containers' caches warm (the first test cleared them for each tenant in turn).
    await measure(small, HERE);
    await measure(large, HERE);
    const [a, b] = [await measure(small, HERE), await measure(large, HERE)];
    expect(b.commands).toEqual(a.commands);
    expect(b.rounds).toBe(a.rounds);
    // The large tenant's fences are far away: the lookup reads the same rows.
    expect(b.rcu).toBe(a.rcu);
  }, 60_000);
});
