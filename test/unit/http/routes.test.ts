import { describe, expect, it } from 'vitest';
import { functionNames, routes } from '../../../shared/http/routes.js';
import { auditRoutes } from '../../../shared/http/routes/audit.js';
import { settingsRoutes } from '../../../shared/http/routes/settings.js';
import { campaignRoutes } from '../../../shared/http/routes/campaigns.js';
import { geofenceRoutes } from '../../../shared/http/routes/geofences.js';
import { keyRoutes } from '../../../shared/http/routes/keys.js';
import { offerRoutes } from '../../../shared/http/routes/offers.js';
import { opsRoutes } from '../../../shared/http/routes/ops.js';
import { partnerRoutes } from '../../../shared/http/routes/partners.js';
import { shopperRoutes } from '../../../shared/http/routes/shoppers.js';
import { statsRoutes } from '../../../shared/http/routes/stats.js';
import { storeRoutes } from '../../../shared/http/routes/stores.js';
import { tenantRoutes } from '../../../shared/http/routes/tenants.js';
import { tokenRoutes } from '../../../shared/http/routes/tokens.js';
import { webhookRoutes } from '../../../shared/http/routes/webhook.js';

describe('the route table', () => {
  it('lists the routes in the order the gateway, the stack and the document were built on', () => {
    expect(routes.map((r) => r.id)).toEqual([
      'health',
      'openapi',
      'createTenant',
      'createKey',
      'listKeys',
      'revokeKey',
      'createShopperTokenKey',
      'listShopperTokenKeys',
      'deleteShopperTokenKey',
      'createShopperToken',
      'createStore',
      'listStores',
      'getStore',
      'updateStore',
      'deleteStore',
      'createPartner',
      'listPartners',
      'getPartner',
      'updatePartner',
      'deletePartner',
      'createGeofence',
      'listGeofences',
      'lookupGeofences',
      'getGeofence',
      'replaceGeofence',
      'updateGeofence',
      'deleteGeofence',
      'putShopper',
      'getShopper',
      'deleteShopper',
      'exportShopper',
      'listShopperOffers',
      'createCampaign',
      'listCampaigns',
      'getCampaign',
      'updateCampaign',
      'deleteCampaign',
      'campaignStats',
      'geofenceVisits',
      'requestOffers',
      'redeemOffer',
      'recordConversion',
      'getOffer',
      'setWebhook',
      'rotateWebhookSecret',
      'testWebhook',
      'getSettings',
      'updateSettings',
      'listAudit',
    ]);
    expect(functionNames()).toEqual([
      'ops',
      'tenants',
      'keys',
      'stores',
      'partners',
      'geofences',
      'shoppers',
      'campaigns',
      'stats',
      'offers',
      'webhook',
    ]);
  });

  it("takes each function's routes from that resource's file", () => {
    const files = {
      ops: opsRoutes,
      tenants: tenantRoutes,
      // The keys function serves the API keys, the shopper-token keys and tokens, the settings and the access audit log.
      keys: [...keyRoutes, ...tokenRoutes, ...settingsRoutes, ...auditRoutes],
      stores: storeRoutes,
      partners: partnerRoutes,
      geofences: geofenceRoutes,
      // GET /v1/offers/{id} is declared with the offers but served by the shoppers function (it reads a shopper's record).
      shoppers: [...shopperRoutes, ...offerRoutes.filter((r) => r.fn === 'shoppers')],
      campaigns: campaignRoutes,
      stats: statsRoutes,
      offers: offerRoutes.filter((r) => r.fn === 'offers'),
      webhook: webhookRoutes,
    };
    for (const [fn, entries] of Object.entries(files)) {
      expect(
        entries.map((r) => r.fn),
        fn,
      ).toEqual(entries.map(() => fn));
      expect(entries.map((r) => r.id)).toEqual(routes.filter((r) => r.fn === fn).map((r) => r.id));
    }
  });

  it('names every operation and every method and path once', () => {
    expect(new Set(routes.map((r) => r.id)).size).toBe(routes.length);
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
  });
});
