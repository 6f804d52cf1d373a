import { describe, expect, it } from 'vitest';
import { AUDIENCE_EXAMPLES } from '../support/audience-examples.js';
import { api, expectProblem, unique } from '../support/api.js';
import {
  CONSENT,
  circle,
  createCampaign,
  createFence,
  createStore,
  marketingTenant,
  north,
  offersFor,
  postOffers,
  putShopper,
} from '../support/marketing.js';

const DAY_MS = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString();
const GRACIA = { lat: 41.4025, lng: 2.1565 };

type Profile = Record<string, unknown>;

/** For each micromarketing kind: profiles its example audience must take, and profiles it must leave out. */
const CASES: Record<string, { match: Profile[]; miss: Profile[] }> = {
  location: {
    match: [{ attributes: { homeNeighbourhood: 'Gràcia' } }, { attributes: { homeNeighbourhood: ' eixample ' } }],
    miss: [{ attributes: { homeNeighbourhood: 'Sants' } }, { attributes: { homeCity: 'Gràcia' } }, {}],
  },
  relationship: {
    match: [{ relationship: 'prospect' }, { relationship: 'referred' }],
    miss: [{ relationship: 'customer' }, { relationship: 'lapsed' }, {}],
  },
  'job title': {
    match: [{ jobTitle: 'Office Manager' }, { jobTitle: 'facilities  manager' }, { jobTitle: 'Office Administrator' }],
    miss: [{ jobTitle: 'Chief Executive Officer' }, { jobTitle: 'Office' }, {}],
  },
  industry: {
    match: [{ industry: 'Hospitality' }, { industry: 'hotels' }],
    miss: [{ industry: 'Finance' }, { jobTitle: 'Hospitality' }, {}],
  },
  'company size': {
    match: [{ companySize: 10 }, { companySize: 120 }, { companySize: 249 }],
    miss: [{ companySize: 9 }, { companySize: 250 }, {}],
  },
  'customer needs': {
    match: [{ needs: ['vegan'] }, { needs: ['delivery', 'Gluten-Free'] }],
    miss: [{ needs: ['delivery', 'parking'] }, { needs: [] }, {}],
  },
  'brand loyalty': {
    match: [
      { loyaltyTier: 'gold' },
      { loyaltyTier: 'Platinum', loyaltyPoints: 10 },
      { loyaltyTier: 'silver', loyaltyPoints: 5000 },
    ],
    miss: [{ loyaltyTier: 'silver', loyaltyPoints: 4999 }, { loyaltyPoints: 0 }, {}],
  },
  'win-back': {
    match: [
      { relationship: 'lapsed' },
      { relationship: 'customer', lastPurchaseAt: daysAgo(120) },
      { lastPurchaseAt: daysAgo(91) },
    ],
    miss: [{ relationship: 'customer', lastPurchaseAt: daysAgo(10) }, { lastPurchaseAt: daysAgo(89) }, {}],
  },
  'price sensitivity': {
    match: [{ priceSensitivity: 'high' }],
    miss: [{ priceSensitivity: 'medium' }, { priceSensitivity: 'low' }, {}],
  },
};

describe('micromarketing audiences, end to end', () => {
  it('covers each of the nine micromarketing kinds with a shared example', () => {
    expect(AUDIENCE_EXAMPLES.map((e) => e.kind).sort()).toEqual(Object.keys(CASES).sort());
    expect(AUDIENCE_EXAMPLES).toHaveLength(9);
  });

  for (const example of AUDIENCE_EXAMPLES) {
    it(`offers the ${example.kind} campaign to exactly the shoppers its audience describes`, async () => {
      const cases = CASES[example.kind];
      expect(cases, `test cases for ${example.kind}`).toBeDefined();
      const t = await marketingTenant();
      const fence = await createFence(t.key, { geometry: circle(GRACIA, 300) });
      const campaign = await createCampaign(t.key, { name: example.kind, geofenceIds: [fence.id], audience: example.audience });
      expect(campaign.audience).toEqual(example.audience);

      const shoppers = [
        ...cases.match.map((profile, i) => ({ id: `match-${i}`, profile, expected: true })),
        ...cases.miss.map((profile, i) => ({ id: `miss-${i}`, profile, expected: false })),
      ];
      await Promise.all(shoppers.map((s) => putShopper(t.key, s.id, s.profile)));
      const answers = await Promise.all(
        shoppers.map(async (s) => {
          const res = await offersFor(t.key, { shopperId: s.id, location: north(GRACIA, 50) });
          expect(res.geofences, `${s.id} is inside the fence`).toEqual([fence.id]);
          return { shopper: s.id, profile: s.profile, offered: res.offers.map((o) => o.campaignId) };
        }),
      );
      expect(answers).toEqual(
        shoppers.map((s) => ({ shopper: s.id, profile: s.profile, offered: s.expected ? [campaign.id] : [] })),
      );
    });
  }
});

describe('local partner campaigns', () => {
  it("renders the partner's name and names the partner in the offer", async () => {
    const t = await marketingTenant();
    const store = await createStore(t.key, { name: 'Sants', location: GRACIA });
    const partner = await api('POST', '/v1/partners', {
      key: t.key,
      body: { name: 'Forn Sant Joan', category: 'bakery', location: north(GRACIA, 80), contactEmail: 'hola@forn.test' },
    });
    expect(partner.status).toBe(201);
    const fence = await createFence(t.key, { storeId: store.id, geometry: circle(GRACIA, 300) });
    const campaign = await createCampaign(t.key, {
      kind: 'local_partner',
      partnerId: partner.body.id,
      geofenceIds: [fence.id],
      offer: {
        title: '{{partnerName}}: a free coffee',
        body: 'Show this at {{partnerName}}, next to {{storeName}}.',
        code: 'CAFE',
        validForMinutes: 30,
      },
    });
    await putShopper(t.key, 'walker');
    const res = await offersFor(t.key, { shopperId: 'walker', location: GRACIA });
    expect(res.offers).toEqual([
      {
        id: expect.any(String),
        campaignId: campaign.id,
        kind: 'local_partner',
        title: 'Forn Sant Joan: a free coffee',
        body: 'Show this at Forn Sant Joan, next to Sants.',
        code: 'CAFE',
        geofenceId: fence.id,
        storeId: store.id,
        partnerId: partner.body.id,
        confidence: 'medium',
        expiresAt: expect.any(String),
      },
    ]);
    const live = await api('GET', '/v1/shoppers/walker/offers', { key: t.key });
    expect(live.body.items.map((o: { id: string; partnerId: string; kind: string }) => [o.id, o.partnerId, o.kind])).toEqual([
      [res.offers[0].id, partner.body.id, 'local_partner'],
    ]);
  });
});

describe('personalisation', () => {
  it('renders first name, store name and distance, and never prints "undefined" for a missing first name', async () => {
    const t = await marketingTenant();
    const store = await createStore(t.key, { name: 'Gràcia', location: GRACIA });
    const fence = await createFence(t.key, { storeId: store.id, geometry: circle(GRACIA, 300) });
    const campaign = await createCampaign(t.key, {
      geofenceIds: [fence.id],
      offer: {
        title: 'Hi {{firstName}}, welcome to {{storeName}}',
        body: 'You are {{distanceM}} m from {{storeName}}. {{partnerName}}',
        code: 'HELLO',
        validForMinutes: 90,
      },
    });
    await putShopper(t.key, 'marta', { firstName: 'Marta' });
    await putShopper(t.key, 'anonymous', {});
    const before = Date.now();
    const named = await offersFor(t.key, { shopperId: 'marta', location: north(GRACIA, 100) });
    const nameless = await offersFor(t.key, { shopperId: 'anonymous', location: GRACIA });
    expect(named.offers).toHaveLength(1);
    expect(named.offers[0]).toMatchObject({
      campaignId: campaign.id,
      title: 'Hi Marta, welcome to Gràcia',
      body: 'You are 100 m from Gràcia.',
      code: 'HELLO',
      storeId: store.id,
      partnerId: null,
    });
    const expires = Date.parse(named.offers[0].expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 90 * 60_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 90 * 60_000 + 1000);
    expect(nameless.offers).toHaveLength(1);
    expect(nameless.offers[0]).toMatchObject({ title: 'Hi, welcome to Gràcia', body: 'You are 0 m from Gràcia.' });
    for (const o of [...named.offers, ...nameless.offers]) expect(`${o.title} ${o.body}`).not.toMatch(/undefined|null|\{\{/);
  });
});

describe('inline profile in the offer request', () => {
  it('combines with the stored profile for the request only, and is never stored', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(GRACIA, 300) });
    const bargain = await createCampaign(t.key, {
      name: 'bargain',
      geofenceIds: [fence.id],
      audience: { match: 'all', rules: [{ attribute: 'priceSensitivity', op: 'eq', value: 'high' }] },
      offer: { title: 'Deal for {{firstName}}', body: 'Half price today.', validForMinutes: 60 },
    });
    const locals = await createCampaign(t.key, {
      name: 'locals',
      geofenceIds: [fence.id],
      audience: {
        match: 'all',
        rules: [
          { attribute: 'attributes.homeNeighbourhood', op: 'eq', value: 'Gràcia' },
          { attribute: 'attributes.member', op: 'eq', value: true },
        ],
      },
    });
    const vegan = await createCampaign(t.key, {
      name: 'vegan',
      geofenceIds: [fence.id],
      audience: { match: 'all', rules: [{ attribute: 'needs', op: 'containsAny', value: ['vegan'] }] },
    });
    const stored = {
      firstName: 'Ana',
      priceSensitivity: 'low',
      needs: ['vegan'],
      attributes: { homeNeighbourhood: 'Sants', member: true },
      consent: CONSENT,
    };
    await putShopper(t.key, 'ana', stored);
    const ask = async (profile?: Record<string, unknown>) => {
      const res = await offersFor(t.key, { shopperId: 'ana', location: GRACIA, ...(profile ? { profile } : {}) });
      return res.offers;
    };
    const ids = (offers: { campaignId: string }[]) => offers.map((o) => o.campaignId).sort();

    // Stored profile alone: only the vegan campaign.
    expect(ids(await ask())).toEqual([vegan.id]);
    // Inline fields win for this request; attributes merge key by key (stored `member` kept); lists are replaced, not joined.
    const merged = await ask({
      firstName: 'Anna',
      priceSensitivity: 'high',
      needs: ['delivery'],
      attributes: { homeNeighbourhood: 'Gràcia' },
    });
    expect(ids(merged)).toEqual([bargain.id, locals.id].sort());
    expect(merged.find((o) => o.campaignId === bargain.id)!.title).toBe('Deal for Anna');
    // Nothing of it was stored.
    const after = await api('GET', '/v1/shoppers/ana', { key: t.key });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject(stored);
    expect(after.body.attributes).toEqual(stored.attributes);
    expect(ids(await ask())).toEqual([vegan.id]);

    // Inline consent can withdraw stored consent for the request...
    expect(await ask({ consent: { location: false, marketing: true } })).toEqual([]);
    expect(await ask({ consent: { location: true, marketing: false } })).toEqual([]);
    // ...but never grant what the stored profile withholds.
    await putShopper(t.key, 'declined', { priceSensitivity: 'high', consent: { location: true, marketing: false } });
    const forged = await offersFor(t.key, { shopperId: 'declined', location: GRACIA, profile: { consent: CONSENT } });
    expect(forged.offers).toEqual([]);
    expect((await api('GET', '/v1/shoppers/declined', { key: t.key })).body.consent).toEqual({
      location: true,
      marketing: false,
    });
    // And the withdrawal was not stored either.
    expect((await api('GET', '/v1/shoppers/ana', { key: t.key })).body.consent).toEqual(CONSENT);

    // Without a stored profile the device's consent is used as sent, and still no profile is stored.
    const fresh = await offersFor(t.key, {
      shopperId: 'device-only',
      location: GRACIA,
      profile: { priceSensitivity: 'high', consent: CONSENT },
    });
    expect(ids(fresh.offers)).toEqual([bargain.id]);
    expect(fresh.offers[0].title).toBe('Deal for');
    expectProblem(await api('GET', '/v1/shoppers/device-only', { key: t.key }), 404);
  });
});

describe('consent', () => {
  it('makes no offer and stores nothing, not even the idempotency record, for a shopper without both consents', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(GRACIA, 300) });
    const campaign = await createCampaign(t.key, { geofenceIds: [fence.id] });
    await putShopper(t.key, 'no-marketing', { firstName: 'Pau', consent: { location: true, marketing: false } });
    await putShopper(t.key, 'no-location', { consent: { location: false, marketing: true } });

    for (const shopperId of ['no-marketing', 'no-location', 'never-asked']) {
      const idem = { 'idempotency-key': unique('consent') };
      const first = await postOffers(t.key, { shopperId, location: GRACIA }, idem);
      expect(first.status).toBe(200);
      expect(first.body.offers).toEqual([]);
      // The same key with another body is not a conflict: the first request left no record behind.
      const second = await postOffers(t.key, { shopperId, location: north(GRACIA, 20), at: new Date().toISOString() }, idem);
      expect({ shopperId, status: second.status }).toEqual({ shopperId, status: 200 });
      expect(second.body.offers).toEqual([]);
      expect(second.headers.get('idempotent-replayed')).toBeNull();

      const exported = await api('GET', `/v1/shoppers/${shopperId}/export`, { key: t.key });
      expect(exported.status).toBe(200);
      expect(exported.body).toMatchObject({
        shopperId,
        offers: [],
        frequencyCaps: [],
        eligibility: [],
        conversions: [],
        location: [],
        statsMarkers: [],
      });
      for (const [k, v] of Object.entries(exported.body)) if (Array.isArray(v)) expect({ [k]: v }).toEqual({ [k]: [] });
      const live = await api('GET', `/v1/shoppers/${shopperId}/offers`, { key: t.key });
      expect(live.body.items).toEqual([]);
    }
    // Only the profiles written by PUT exist; the shopper never asked has none.
    expect((await api('GET', '/v1/shoppers/no-marketing/export', { key: t.key })).body.profile).toMatchObject({
      firstName: 'Pau',
    });
    expect((await api('GET', '/v1/shoppers/never-asked/export', { key: t.key })).body.profile).toBeNull();
    const stats = await api('GET', `/v1/campaigns/${campaign.id}/stats`, { key: t.key });
    expect(stats.body).toMatchObject({ eligible: 0, offered: 0, heldOut: 0 });

    // Control: with both consents the same request does make an offer and keeps its record.
    await putShopper(t.key, 'consenting');
    const idem = { 'idempotency-key': unique('consent') };
    const ok = await postOffers(t.key, { shopperId: 'consenting', location: GRACIA }, idem);
    expect(ok.body.offers.map((o) => o.campaignId)).toEqual([campaign.id]);
    expectProblem(await postOffers(t.key, { shopperId: 'consenting', location: north(GRACIA, 20) }, idem), 409);
    // Stats are counted off the request path: once the control offer is counted, the refused requests still count for nothing.
    await expect
      .poll(() => api('GET', `/v1/campaigns/${campaign.id}/stats`, { key: t.key }).then((r) => r.body), { timeout: 10_000 })
      .toMatchObject({ eligible: 1, offered: 1, heldOut: 0 });
  });
});
