import * as z from 'zod';
import { ProfileSchema } from '../../domain/targeting/index.js';
import { route } from '../route.js';
import { ListQuerySchema, listOf } from './common.js';
import { StoredOfferSchema } from './offers.js';

/** Body of `PUT /v1/shoppers/{shopperId}`: the full profile, consent required. */
export const ShopperProfileSchema = ProfileSchema.describe('Shopper profile. PUT replaces the whole profile.');

/** Said on every route that reads or changes a profile: it belongs to the whole tenant, not to some stores. */
const TENANT_WIDE =
  'A shopper profile belongs to the whole tenant: a store-restricted key (one with storeIds) gets 403 here, whatever the shopper.';

export const shopperRoutes = [
  route({
    id: 'putShopper',
    method: 'PUT',
    path: '/v1/shoppers/{shopperId}',
    fn: 'shoppers',
    auth: 'shoppers:write',
    summary: 'Create or replace a shopper profile (with consent)',
    description: `Audience data and consent come from here (the tenant's server), never from the app. ${TENANT_WIDE}`,
    tags: ['shoppers'],
    body: ShopperProfileSchema,
    response: ShopperProfileSchema.loose(),
  }),
  route({
    id: 'getShopper',
    method: 'GET',
    path: '/v1/shoppers/{shopperId}',
    fn: 'shoppers',
    auth: 'shoppers:read',
    summary: 'Get a shopper profile',
    description: TENANT_WIDE,
    tags: ['shoppers'],
    response: ShopperProfileSchema.loose(),
  }),
  route({
    id: 'deleteShopper',
    method: 'DELETE',
    path: '/v1/shoppers/{shopperId}',
    fn: 'shoppers',
    auth: 'shoppers:write',
    summary: 'Erase everything about a shopper',
    description: TENANT_WIDE,
    tags: ['shoppers'],
    successStatus: 204,
  }),
  route({
    id: 'exportShopper',
    method: 'GET',
    path: '/v1/shoppers/{shopperId}/export',
    fn: 'shoppers',
    auth: 'shoppers:read',
    summary: 'Export every item held about a shopper',
    description: TENANT_WIDE,
    tags: ['shoppers'],
    response: z.object({ shopperId: z.string() }).loose(),
  }),
  route({
    id: 'listShopperOffers',
    method: 'GET',
    path: '/v1/shoppers/{shopperId}/offers',
    fn: 'shoppers',
    auth: 'shoppers:read',
    summary: "A shopper's live offers, newest first",
    description:
      "A store-restricted key (e.g. a till's) lists only the offers at its own stores, and never reads the shopper's profile.",
    tags: ['shoppers', 'offers'],
    query: ListQuerySchema,
    response: listOf(StoredOfferSchema),
  }),
] as const;
