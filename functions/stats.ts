import { lambda } from '../shared/http/lambda.js';
import { FOOTFALL_MAX_DAYS } from '../shared/http/routes/stats.js';
import { geofenceVisits } from '../shared/services/footfall.js';
import { campaignStats } from '../shared/services/stats.js';

export const handler = lambda('stats', {
  campaignStats: async ({ principal, params }) => ({ body: await campaignStats(principal, params.id) }),
  geofenceVisits: async ({ principal, params, query }) => ({
    body: await geofenceVisits(principal, params.id, query, FOOTFALL_MAX_DAYS),
  }),
});
