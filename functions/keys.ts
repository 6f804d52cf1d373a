import { lambda } from '../shared/http/lambda.js';
import { listAudit } from '../shared/services/audit.js';
import { createKey, listKeys, revokeKey } from '../shared/services/keys.js';
import { getSettings, updateSettings } from '../shared/services/settings.js';
import { createTokenKey, deleteTokenKeyOf, listTokenKeysOf, mintShopperToken } from '../shared/services/shopper-tokens.js';

export const handler = lambda('keys', {
  createKey: async ({ body, principal }) => ({ status: 201, body: await createKey(principal, body) }),
  listKeys: async ({ query, principal }) => ({ body: await listKeys(principal, query.limit, query.cursor) }),
  revokeKey: async ({ params, principal }) => {
    await revokeKey(principal, params.id);
    return { status: 204 };
  },
  // Shopper tokens: the tenant's signing keys, and tokens minted with the newest.
  createShopperTokenKey: async ({ principal }) => ({ status: 201, body: await createTokenKey(principal) }),
  listShopperTokenKeys: async ({ principal }) => ({ body: await listTokenKeysOf(principal) }),
  deleteShopperTokenKey: async ({ params, principal }) => {
    await deleteTokenKeyOf(principal, params.kid);
    return { status: 204 };
  },
  createShopperToken: async ({ body, principal }) => ({ status: 201, body: await mintShopperToken(principal, body) }),
  // Tenant settings: retention (shortened at once on read, swept in the background).
  getSettings: async ({ principal }) => ({ body: await getSettings(principal) }),
  updateSettings: async ({ body, principal }) => ({ body: await updateSettings(principal, body) }),
  // The access audit log (recorded by the shopper, key and webhook services).
  listAudit: async ({ query, principal }) => ({ body: await listAudit(principal, query) }),
});
