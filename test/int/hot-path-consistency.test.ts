import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDdb } from '../../shared/platform/clients.js';
import { createCampaign, updateCampaign } from '../../shared/services/campaigns.js';
import { createGeofence } from '../../shared/services/geo.js';
import { setConfigCacheTtlS, DEFAULT_CONFIG_CACHE_TTL_S } from '../../shared/services/offer-config.js';
import { requestOffers } from '../../shared/services/offers.js';
import { putShopper } from '../../shared/services/shoppers.js';
import { createTenant } from '../../shared/services/tenants.js';
import { readBudgetShards } from '../../shared/store/budget.js';
import { exportShopperItems } from '../../shared/store/shoppers.js';
import { CONSENT } from '../support/marketing.js';
import { adminPrincipal, pool } from '../support/principal.js';

const HERE = { lat: 48.8566, lng: 2.3522, accuracyM: 10 };
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

async function setup(campaign: Record<string, unknown> = {}) {
  const { tenant } = await createTenant(`consistency-${Math.random()}`);
  const p = adminPrincipal(tenant.id);
  const fence = await createGeofence(p, {
    name: 'here',
    geometry: { type: 'Circle', coordinates: [HERE.lng, HERE.lat], radiusM: 300 },
  });
  const c = await createCampaign(p, {
    name: 'c',
    kind: 'location',
    status: 'active',
    geofenceIds: [fence.id],
    offer: { title: 'Hi', body: 'Ten percent off', validForMinutes: 60 },
    ...campaign,
  } as never);
  return { p, tenantId: tenant.id, campaign: c };
}

/**
 * Fail the n-th write the shared DynamoDB client sends from now on (a real
 * client with a middleware that throws before the request leaves: fault
 * injection, not a fake).
 */
function failNthWrite(n: number) {
  const name = `fail-write-${Math.random()}`;
  let writes = 0;
  let failed = false;
  getDdb().middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(String(context.commandName)) && ++writes === n) {
        failed = true;
        throw Object.assign(new Error('injected write failure'), { name: 'InternalServerError', $fault: 'server' });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    get failed() {
      return failed;
    },
    remove: () => getDdb().middlewareStack.remove(name),
  };
}

/** What a shopper holds: offer ids, cap slot ids, and eligibility records' offer ids. */
async function shopperState(tenantId: string, shopperId: string) {
  const items = await exportShopperItems(tenantId, shopperId);
  const offers = items.offers.map((o) => String(o.id));
  const slots = items.frequencyCaps.flatMap((c) => Object.keys((c.slots ?? {}) as Record<string, number>));
  const treated = items.eligibility.filter((e) => e.side === 'treatment').map((e) => String(e.offerId));
  return { offers, slots, treated };
}

describe('offer writes, all or nothing', () => {
  it('leaves no budget unit or cap slot without its offer when any write of the request fails', async () => {
    const { p, tenantId, campaign } = await setup({ budget: { maxOffers: 100 }, frequencyCap: { maxOffers: 3, perHours: 24 } });
    // Count the writes of one good request, then fail each of them in turn on a fresh shopper.
    let writesPerRequest = 0;
    const counter = `count-${Math.random()}`;
    getDdb().middlewareStack.add(
      (next, context) => async (args) => {
        if (WRITES.has(String(context.commandName))) writesPerRequest++;
        return next(args);
      },
      { step: 'initialize', name: counter },
    );
    await putShopper(p, 'counting', { consent: { ...CONSENT } });
    writesPerRequest = 0;
    const ok = await requestOffers(p, { shopperId: 'counting', location: HERE });
    getDdb().middlewareStack.remove(counter);
    expect(ok.result.offers).toHaveLength(1);
    expect(writesPerRequest).toBeGreaterThanOrEqual(1);

    let offersStored = 1;
    for (let n = 1; n <= writesPerRequest; n++) {
      const shopperId = `failing-${n}`;
      await putShopper(p, shopperId, { consent: { ...CONSENT } });
      const fault = failNthWrite(n);
      const outcome = await requestOffers(p, { shopperId, location: HERE }).then(
        (r) => ({ ok: true as const, r }),
        (err: Error) => ({ ok: false as const, err }),
      );
      fault.remove();
      expect(fault.failed).toBe(true);
      const state = await shopperState(tenantId, shopperId);
      if (outcome.ok) offersStored += outcome.r.result.offers.length;
      else expect(outcome.err.message).toMatch(/injected/);
      // Whatever failed: every cap slot and every treatment record belongs to a stored offer, and vice versa.
      expect(state.slots.sort()).toEqual(state.offers.sort());
      expect(state.treated.sort()).toEqual(state.offers.sort());
      expect(state.offers).toHaveLength(outcome.ok ? 1 : 0);
      // The retry of the failed request makes exactly one offer.
      if (!outcome.ok) {
        const retry = await requestOffers(p, { shopperId, location: HERE });
        expect(retry.result.offers).toHaveLength(1);
        offersStored++;
      }
    }
    const spent = (await readBudgetShards(tenantId, campaign.id)).reduce((a, b) => a + b, 0);
    expect(spent).toBe(offersStored);
  }, 60_000);

  it('keeps a budget exact under 200 racing requests and a cap exact under 50 concurrent requests of one shopper', async () => {
    const budget = await setup({ budget: { maxOffers: 37 } });
    const shoppers = Array.from({ length: 200 }, (_, i) => `b-${i}`);
    await pool(shoppers, 16, (s) => putShopper(budget.p, s, { consent: { ...CONSENT } }).then(() => undefined));
    // 200 requests, 32 at a time in this process (as 32 Lambda containers would): all race for 37 units over 16 shards.
    const made: Awaited<ReturnType<typeof requestOffers>>[] = [];
    await pool(shoppers, 32, async (shopperId) => {
      made.push(await requestOffers(budget.p, { shopperId, location: HERE }));
    });
    expect(made).toHaveLength(200);
    expect(made.flatMap((m) => m.result.offers)).toHaveLength(37);
    expect((await readBudgetShards(budget.tenantId, budget.campaign.id)).reduce((a, b) => a + b, 0)).toBe(37);

    const capped = await setup({ frequencyCap: { maxOffers: 2, perHours: 24 } });
    await putShopper(capped.p, 'eager', { consent: { ...CONSENT } });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => requestOffers(capped.p, { shopperId: 'eager', location: HERE })),
    );
    const offers = answers.flatMap((a) => a.result.offers);
    expect(offers).toHaveLength(2);
    const state = await shopperState(capped.tenantId, 'eager');
    expect(state.offers.sort()).toEqual(offers.map((o) => o.id).sort());
    expect(state.slots.sort()).toEqual(state.offers.sort());
  }, 120_000);
});

describe('stated staleness', () => {
  beforeAll(() => setConfigCacheTtlS(DEFAULT_CONFIG_CACHE_TTL_S));
  afterAll(() => setConfigCacheTtlS(Number(process.env.CONFIG_CACHE_TTL_S ?? DEFAULT_CONFIG_CACHE_TTL_S)));

  it(`stops a paused campaign's offers within ${DEFAULT_CONFIG_CACHE_TTL_S} s`, async () => {
    const { p, campaign } = await setup();
    const t0 = Date.now();
    const at = (s: number) => ({ now: new Date(t0 + s * 1000) });
    await pool(['s0', 's1', 's2'], 3, (s) => putShopper(p, s, { consent: { ...CONSENT } }).then(() => undefined));
    expect((await requestOffers(p, { shopperId: 's0', location: HERE }, at(0))).result.offers).toHaveLength(1);
    await updateCampaign(p, campaign.id, { status: 'paused' } as never);
    // Within the bound the container may still use what it read (here it does: the cache is warm).
    expect(
      (await requestOffers(p, { shopperId: 's1', location: HERE }, at(DEFAULT_CONFIG_CACHE_TTL_S - 1))).result.offers,
    ).toHaveLength(1);
    // At the bound it reads the campaign again and sees the pause.
    expect((await requestOffers(p, { shopperId: 's2', location: HERE }, at(DEFAULT_CONFIG_CACHE_TTL_S))).result.offers).toEqual(
      [],
    );
  }, 60_000);
});
