import { lambda } from '../shared/http/lambda.js';
import {
  campaignView,
  createCampaign,
  deleteCampaign,
  listCampaigns,
  loadCampaign,
  updateCampaign,
} from '../shared/services/campaigns.js';

export const handler = lambda('campaigns', {
  createCampaign: async ({ principal, body }) => ({ status: 201, body: await createCampaign(principal, body) }),
  listCampaigns: async ({ principal, query }) => ({ body: await listCampaigns(principal, query.limit, query.cursor) }),
  getCampaign: async ({ principal, params }) => ({ body: campaignView(await loadCampaign(principal, params.id)) }),
  updateCampaign: async ({ principal, params, body }) => ({ body: await updateCampaign(principal, params.id, body) }),
  deleteCampaign: async ({ principal, params }) => {
    await deleteCampaign(principal, params.id);
    return { status: 204 };
  },
});
