import { lambda } from '../shared/http/lambda.js';
import { requestOffers } from '../shared/services/offers.js';
import { recordConversion, redeem } from '../shared/services/redemption.js';

export const handler = lambda('offers', {
  requestOffers: async ({ principal, body }) => {
    const { result, stored } = await requestOffers(principal, body);
    // Without consent nothing about the request is kept, not even its idempotency record.
    return { body: result, noStore: !stored, shopperId: body.shopperId };
  },
  redeemOffer: async ({ principal, params, body }) => ({ body: await redeem(principal, params.id, body) }),
  recordConversion: async ({ principal, body }) => ({ status: 201, body: await recordConversion(principal, body), shopperId: body.shopperId }),
});
