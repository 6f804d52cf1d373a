import { lambda } from '../shared/http/lambda.js';
import { createTenant } from '../shared/services/tenants.js';

export const handler = lambda('tenants', {
  createTenant: async ({ body }) => ({ status: 201, body: await createTenant(body.name) }),
});
