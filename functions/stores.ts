import { lambda } from '../shared/http/lambda.js';
import { createStore, deleteStore, listStores, loadStore, storeView, updateStore } from '../shared/services/geo.js';

export const handler = lambda('stores', {
  createStore: async ({ principal, body }) => ({ status: 201, body: await createStore(principal, body) }),
  listStores: async ({ principal, query }) => ({ body: await listStores(principal, query.limit, query.cursor) }),
  getStore: async ({ principal, params }) => ({ body: storeView(await loadStore(principal, params.id)) }),
  updateStore: async ({ principal, params, body }) => ({ body: await updateStore(principal, params.id, body) }),
  deleteStore: async ({ principal, params }) => {
    await deleteStore(principal, params.id);
    return { status: 204 };
  },
});
