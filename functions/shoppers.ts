import { lambda } from '../shared/http/lambda.js';
import { deleteShopper, exportShopper, getShopper, listShopperOffers, putShopper } from '../shared/services/shoppers.js';
import { getOfferDelivery } from '../shared/services/webhook.js';

export const handler = lambda('shoppers', {
  putShopper: async ({ principal, params, body }) => ({ body: await putShopper(principal, params.shopperId, body) }),
  getShopper: async ({ principal, params }) => ({ body: await getShopper(principal, params.shopperId) }),
  deleteShopper: async ({ principal, params }) => {
    await deleteShopper(principal, params.shopperId);
    return { status: 204 };
  },
  exportShopper: async ({ principal, params }) => ({ body: await exportShopper(principal, params.shopperId) }),
  listShopperOffers: async ({ principal, params, query }) => ({
    body: await listShopperOffers(principal, params.shopperId, query.limit, query.cursor),
  }),
  getOffer: async ({ principal, params }) => ({ body: await getOfferDelivery(principal, params.id) }),
});
