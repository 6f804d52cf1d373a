import { z } from 'zod';
import { CampaignCreateSchema, CampaignPatchSchema, ShopperProfileSchema } from '../../domain/targeting/schemas.js';
import { route } from '../route.js';
import { ListQuerySchema, listOf } from '../schemas.js';
import {
  ConversionSchema,
  OfferRequestSchema,
  OfferResponseSchema,
  RedeemSchema,
  StoredOfferSchema,
} from '../schemas-offers.js';
import { CampaignSchema, CampaignStatsSchema, WebhookSchema, WebhookSetSchema } from '../schemas-marketing.js';

export const marketingRoutes = [
  route({ id: 'putShopper', method: 'PUT', path: '/v1/shoppers/{shopperId}', fn: 'shoppers', auth: 'shoppers:write', summary: 'Create or replace a shopper profile (with consent)', tags: ['shoppers'], body: ShopperProfileSchema, response: ShopperProfileSchema.loose() }),
  route({ id: 'getShopper', method: 'GET', path: '/v1/shoppers/{shopperId}', fn: 'shoppers', auth: 'shoppers:read', summary: 'Get a shopper profile', tags: ['shoppers'], response: ShopperProfileSchema.loose() }),
  route({ id: 'deleteShopper', method: 'DELETE', path: '/v1/shoppers/{shopperId}', fn: 'shoppers', auth: 'shoppers:write', summary: 'Erase everything about a shopper', tags: ['shoppers'], successStatus: 204 }),
  route({ id: 'exportShopper', method: 'GET', path: '/v1/shoppers/{shopperId}/export', fn: 'shoppers', auth: 'shoppers:read', summary: 'Export every item held about a shopper', tags: ['shoppers'], response: z.object({ shopperId: z.string() }).loose() }),
  route({ id: 'listShopperOffers', method: 'GET', path: '/v1/shoppers/{shopperId}/offers', fn: 'shoppers', auth: 'shoppers:read', summary: 'A shopper\'s live offers, newest first', tags: ['shoppers', 'offers'], query: ListQuerySchema, response: listOf(StoredOfferSchema) }),

  route({ id: 'createCampaign', method: 'POST', path: '/v1/campaigns', fn: 'campaigns', auth: 'campaigns:write', summary: 'Create a campaign', tags: ['campaigns'], body: CampaignCreateSchema, response: CampaignSchema, successStatus: 201, idempotent: true }),
  route({ id: 'listCampaigns', method: 'GET', path: '/v1/campaigns', fn: 'campaigns', auth: 'campaigns:read', summary: 'List campaigns', tags: ['campaigns'], query: ListQuerySchema, response: listOf(CampaignSchema) }),
  route({ id: 'getCampaign', method: 'GET', path: '/v1/campaigns/{id}', fn: 'campaigns', auth: 'campaigns:read', summary: 'Get a campaign', tags: ['campaigns'], response: CampaignSchema }),
  route({ id: 'updateCampaign', method: 'PATCH', path: '/v1/campaigns/{id}', fn: 'campaigns', auth: 'campaigns:write', summary: 'Update a campaign', tags: ['campaigns'], body: CampaignPatchSchema, response: CampaignSchema }),
  route({ id: 'deleteCampaign', method: 'DELETE', path: '/v1/campaigns/{id}', fn: 'campaigns', auth: 'campaigns:write', summary: 'Delete a campaign', tags: ['campaigns'], successStatus: 204 }),
  route({ id: 'campaignStats', method: 'GET', path: '/v1/campaigns/{id}/stats', fn: 'stats', auth: 'stats:read', summary: 'Campaign results: offers, redemptions, conversions and lift', tags: ['campaigns', 'stats'], response: CampaignStatsSchema }),

  route({ id: 'requestOffers', method: 'POST', path: '/v1/offers', fn: 'offers', auth: 'offers:write', summary: 'Offers for a shopper at a location (the hot path)', description: 'Bounded DynamoDB reads and at most one SQS call per request, whatever the number of geofences and campaigns. Without both consents nothing is stored and no offer is made.', tags: ['offers'], body: OfferRequestSchema, response: OfferResponseSchema, idempotent: true }),
  route({ id: 'redeemOffer', method: 'POST', path: '/v1/offers/{id}/redeem', fn: 'offers', auth: 'offers:redeem', summary: 'Redeem an offer (once): 409 if already redeemed, 410 once expired', tags: ['offers'], body: RedeemSchema, response: StoredOfferSchema, extraErrors: [410] }),
  route({ id: 'recordConversion', method: 'POST', path: '/v1/conversions', fn: 'offers', auth: 'offers:redeem', summary: 'Record a purchase, attributed to campaigns the shopper was eligible for in the last 7 days', tags: ['offers', 'stats'], body: ConversionSchema, response: z.object({ id: z.string(), attributedTo: z.array(z.object({ campaignId: z.string(), side: z.enum(['treatment', 'holdout']) })) }).loose(), successStatus: 201, idempotent: true }),

  route({ id: 'setWebhook', method: 'PUT', path: '/v1/webhook', fn: 'webhook', auth: 'webhooks:write', summary: 'Set the webhook that receives offers (returns its signing secret)', tags: ['webhooks'], body: WebhookSetSchema, response: WebhookSchema }),
] as const;
