import { lambda } from '../shared/http/lambda.js';
import { campaignStats } from '../shared/services/stats.js';

export const handler = lambda('stats', {
  campaignStats: async ({ principal, params }) => ({ body: await campaignStats(principal, params.id) }),
});
