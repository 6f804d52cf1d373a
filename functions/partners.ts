import { lambda } from '../shared/http/lambda.js';
import { createPartner, deletePartner, listPartners, loadPartner, partnerView, updatePartner } from '../shared/services/geo.js';

export const handler = lambda('partners', {
  createPartner: async ({ principal, body }) => ({ status: 201, body: await createPartner(principal, body) }),
  listPartners: async ({ principal, query }) => ({ body: await listPartners(principal, query.limit, query.cursor) }),
  getPartner: async ({ principal, params }) => ({ body: partnerView(await loadPartner(principal, params.id)) }),
  updatePartner: async ({ principal, params, body }) => ({ body: await updatePartner(principal, params.id, body) }),
  deletePartner: async ({ principal, params }) => {
    await deletePartner(principal, params.id);
    return { status: 204 };
  },
});
