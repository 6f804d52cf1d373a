import * as z from 'zod';
import { LatLngSchema } from '../../domain/geo/schema.js';
import { TimeZoneSchema } from '../../domain/values/time.js';
import { route } from '../route.js';
import { ListQuerySchema, NameSchema, listOf } from './common.js';

const TimeZone = TimeZoneSchema.describe('IANA time zone, e.g. Europe/Madrid');
const Address = z.string().trim().max(500);

export const StoreCreateSchema = z
  .object({
    name: NameSchema,
    location: LatLngSchema,
    timezone: TimeZone,
    address: Address.optional(),
  })
  .strict();
export const StorePatchSchema = z
  .object({
    name: NameSchema.optional(),
    location: LatLngSchema.optional(),
    timezone: TimeZone.optional(),
    address: Address.nullable().optional(),
  })
  .strict();
export const StoreSchema = z.object({
  id: z.string(),
  name: z.string(),
  location: z.object({ lat: z.number(), lng: z.number() }),
  timezone: z.string(),
  address: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const storeRoutes = [
  route({
    id: 'createStore',
    method: 'POST',
    path: '/v1/stores',
    fn: 'stores',
    auth: 'stores:write',
    summary: 'Create a store',
    tags: ['stores'],
    body: StoreCreateSchema,
    response: StoreSchema,
    successStatus: 201,
    idempotent: true,
  }),
  route({
    id: 'listStores',
    method: 'GET',
    path: '/v1/stores',
    fn: 'stores',
    auth: 'stores:read',
    summary: 'List stores',
    tags: ['stores'],
    query: ListQuerySchema,
    response: listOf(StoreSchema),
  }),
  route({
    id: 'getStore',
    method: 'GET',
    path: '/v1/stores/{id}',
    fn: 'stores',
    auth: 'stores:read',
    summary: 'Get a store',
    tags: ['stores'],
    response: StoreSchema,
  }),
  route({
    id: 'updateStore',
    method: 'PATCH',
    path: '/v1/stores/{id}',
    fn: 'stores',
    auth: 'stores:write',
    summary: 'Update a store',
    tags: ['stores'],
    body: StorePatchSchema,
    response: StoreSchema,
  }),
  route({
    id: 'deleteStore',
    method: 'DELETE',
    path: '/v1/stores/{id}',
    fn: 'stores',
    auth: 'stores:write',
    summary: 'Delete a store (409 while geofences use it)',
    tags: ['stores'],
    successStatus: 204,
  }),
] as const;
