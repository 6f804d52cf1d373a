import { lambda } from '../shared/http/lambda.js';
import { createKey, listKeys, revokeKey } from '../shared/services/keys.js';

export const handler = lambda('keys', {
  createKey: async ({ body, principal }) => ({ status: 201, body: await createKey(principal, body) }),
  listKeys: async ({ query, principal }) => ({ body: await listKeys(principal, query.limit, query.cursor) }),
  revokeKey: async ({ params, principal }) => {
    await revokeKey(principal, params.id);
    return { status: 204 };
  },
});
