import { api, newKey, newTenant, operatorKey, unique } from '../support/api.js';
import { consentingShopper, offersFor, storeFenceCampaign } from '../support/marketing-fixtures.js';

/** A tenant holding one of everything, and the keys to reach it. */
export interface Fixture {
  tenantId: string;
  adminKey: string;
  operatorKey: string;
  /** A publishable key (offers:write, offers:redeem), and a shopper token for `shopperId` when the API mints them. */
  pubKey: string;
  shopperToken?: string;
  ids: {
    store: string;
    /** A second store, with its own fence and campaign (store-restricted keys of `store` must not reach them). */
    otherStore: string;
    otherFence: string;
    otherCampaign: string;
    partner: string;
    geofence: string;
    campaign: string;
    shopperId: string;
    offer: string;
    /** A key of the tenant other than the fixture's own (revoking it harms nothing). */
    key: string;
    /** A shopper-token signing key id, when this API version has them. */
    tokenKid?: string;
  };
}

export const HERE = { lat: 40.4168, lng: -3.7038 };
const THERE = { lat: 40.43, lng: -3.69 };

/** A shopper token for `shopperId`, minted by the API (undefined if this API version has no token route). */
export async function mintToken(adminKey: string, shopperId: string): Promise<string | undefined> {
  const res = await api('POST', '/v1/shopper-tokens', { key: adminKey, body: { shopperId } });
  return res.status === 201 ? String(res.body.token) : undefined;
}

export async function buildFixture(): Promise<Fixture> {
  const t = await newTenant(unique('adversarial'));
  const { storeId, geofenceId, campaignId } = await storeFenceCampaign(t.adminKey, HERE);
  const other = await storeFenceCampaign(t.adminKey, THERE);
  const partner = await api('POST', '/v1/partners', {
    key: t.adminKey,
    body: { name: unique('partner'), category: 'cafe', location: THERE },
  });
  if (partner.status !== 201) throw new Error(`partner: ${partner.status} ${JSON.stringify(partner.body)}`);
  const shopperId = unique('shopper');
  await consentingShopper(t.adminKey, shopperId, { firstName: 'Ana' });
  const { offers } = await offersFor(t.adminKey, shopperId, HERE);
  if (!offers.length) throw new Error('fixture: no offer made');
  const spare = await newKey(t.adminKey, { kind: 'secret', scopes: ['stores:read'] });
  const pub = await newKey(t.adminKey, { kind: 'publishable' });
  const kid = await api('POST', '/v1/shopper-token-keys', { key: t.adminKey, body: {} });
  return {
    tenantId: t.id,
    adminKey: t.adminKey,
    operatorKey: await operatorKey(),
    pubKey: pub.key,
    shopperToken: await mintToken(t.adminKey, shopperId),
    ids: {
      store: storeId,
      otherStore: other.storeId,
      otherFence: other.geofenceId,
      otherCampaign: other.campaignId,
      partner: String(partner.body.id),
      geofence: geofenceId,
      campaign: campaignId,
      shopperId,
      offer: offers[0].id,
      key: spare.id,
      ...(kid.status === 201 ? { tokenKid: String(kid.body.kid) } : {}),
    },
  };
}

/** The fixture's id for a path parameter of a route, by the resource the path names. */
export function idFor(path: string, param: string, f: Fixture, which: 'own' | 'other' = 'own'): string {
  if (param === 'shopperId') return f.ids.shopperId;
  const resource = path.split('/')[2];
  const pick: Record<string, [string, string]> = {
    stores: [f.ids.store, f.ids.otherStore],
    partners: [f.ids.partner, f.ids.partner],
    geofences: [f.ids.geofence, f.ids.otherFence],
    campaigns: [f.ids.campaign, f.ids.otherCampaign],
    offers: [f.ids.offer, f.ids.offer],
    keys: [f.ids.key, f.ids.key],
    ...(f.ids.tokenKid ? { 'shopper-token-keys': [f.ids.tokenKid, f.ids.tokenKid] as [string, string] } : {}),
  };
  const got = pick[resource];
  if (!got) throw new Error(`no fixture id for {${param}} of ${path}: add one to test/adversarial/fixture.ts`);
  return which === 'own' ? got[0] : got[1];
}

/** The path with its parameters filled in. */
export function fillPath(path: string, value: (param: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_, p: string) => encodeUri(value(p)));
}

/** encodeURIComponent of any string: unpaired surrogates (which it refuses) become U+FFFD first. */
export const encodeUri = (s: string) =>
  encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
