import * as z from 'zod';
import { ProfileSchema } from '../../domain/targeting/index.js';
import { route } from '../route.js';
import { ListQuerySchema, listOf } from './common.js';
import { StoredOfferSchema } from './offers.js';

/** Body of `PUT /v1/shoppers/{shopperId}`: the full profile, consent required. */
export const ShopperProfileSchema = ProfileSchema.describe('Shopper profile. PUT replaces the whole profile.');

export const shopperRoutes = [
  route({
    id: 'putShopper',
    method: 'PUT',
    path: '/v1/shoppers/{shopperId}',
    fn: 'shoppers',
    auth: 'shoppers:write',
    summary: 'Create or replace a shopper profile (with consent)',
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
    tags: ['shoppers', 'offers'],
    query: ListQuerySchema,
    response: listOf(StoredOfferSchema),
  }),
] as const;
