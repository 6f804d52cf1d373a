import { describe, expect, it } from 'vitest';
import { ID_PATTERN, IdSchema } from '../../../../shared/domain/values/id.js';
import { bodyWith, issuesOf, requestFields, requestSchema } from '../../../support/request-fields.js';

describe('ids', () => {
  it('are 1-128 letters, digits, _ . : -', () => {
    expect(['gf_01jabc', 'shopper-1', 'a.b:c', 'x'.repeat(128)].map((v) => IdSchema.safeParse(v).success)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['', 'x'.repeat(129), 'a/b', 'a b', 'ana@example.com', 'ñ'].map((v) => IdSchema.safeParse(v).success)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  describe('in every request schema that names a resource', () => {
    const fields = requestFields((node) => node.pattern === ID_PATTERN.source).filter((f) => !f.path.includes('[]'));

    it('finds shopper, store, partner and geofence references', () => {
      expect(fields.map((f) => `${f.route} ${f.part} ${f.path}`).sort()).toEqual([
        'createCampaign body partnerId',
        'createGeofence body partnerId',
        'createGeofence body storeId',
        'createShopperToken body shopperId',
        'listGeofences query storeId',
        'recordConversion body shopperId',
        'recordConversion body storeId',
        'redeemOffer body storeId',
        'replaceGeofence body partnerId',
        'replaceGeofence body storeId',
        'requestOffers body shopperId',
        'updateCampaign body partnerId',
        'updateGeofence body partnerId',
        'updateGeofence body storeId',
      ]);
    });

    it.each(['gf_1', 'a/b', 'x'.repeat(129)])('gives %j the same verdict and message in every body', (id) => {
      const expected = issuesOf(IdSchema, id).map(([, message]) => message);
      for (const f of fields.filter((x) => x.part === 'body')) {
        const body = bodyWith(f.route, f.path, id);
        // A location campaign refuses any partner; the partner rule is checked on local partner campaigns.
        if (f.route === 'createCampaign') (body as Record<string, unknown>).kind = 'local_partner';
        expect(issuesOf(requestSchema(f), body), `${f.route} ${f.path}`).toEqual(expected.map((m) => [f.path, m]));
      }
    });
  });
});
