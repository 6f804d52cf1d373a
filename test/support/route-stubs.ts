/**
 * Handlers that answer the keys function's shopper-token routes, its settings
 * routes and its audit log route with nothing, for tests that build the keys function around
 * handlers of their own.
 */
export const TOKEN_ROUTE_STUBS = {
  createShopperTokenKey: async () => ({ status: 201, body: {} }),
  listShopperTokenKeys: async () => ({ body: { items: [], nextCursor: null } }),
  deleteShopperTokenKey: async () => ({ status: 204 }),
  createShopperToken: async () => ({ status: 201, body: {} }),
  getSettings: async () => ({ body: {} }),
  updateSettings: async () => ({ body: {} }),
  listAudit: async () => ({ body: { items: [], nextCursor: null } }),
};
