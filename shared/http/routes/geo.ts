import { z } from 'zod';
import { route } from '../route.js';
import { ListQuerySchema, listOf } from '../schemas.js';
import {
  GeofenceCreateSchema,
  GeofenceListQuerySchema,
  GeofencePatchSchema,
  GeofenceSchema,
  LookupQuerySchema,
  PartnerCreateSchema,
  PartnerPatchSchema,
  PartnerSchema,
  StoreCreateSchema,
  StorePatchSchema,
  StoreSchema,
} from '../schemas-geo.js';

export const geoRoutes = [
  route({ id: 'createStore', method: 'POST', path: '/v1/stores', fn: 'stores', auth: 'stores:write', summary: 'Create a store', tags: ['stores'], body: StoreCreateSchema, response: StoreSchema, successStatus: 201, idempotent: true }),
  route({ id: 'listStores', method: 'GET', path: '/v1/stores', fn: 'stores', auth: 'stores:read', summary: 'List stores', tags: ['stores'], query: ListQuerySchema, response: listOf(StoreSchema) }),
  route({ id: 'getStore', method: 'GET', path: '/v1/stores/{id}', fn: 'stores', auth: 'stores:read', summary: 'Get a store', tags: ['stores'], response: StoreSchema }),
  route({ id: 'updateStore', method: 'PATCH', path: '/v1/stores/{id}', fn: 'stores', auth: 'stores:write', summary: 'Update a store', tags: ['stores'], body: StorePatchSchema, response: StoreSchema }),
  route({ id: 'deleteStore', method: 'DELETE', path: '/v1/stores/{id}', fn: 'stores', auth: 'stores:write', summary: 'Delete a store (409 while geofences use it)', tags: ['stores'], successStatus: 204 }),

  route({ id: 'createPartner', method: 'POST', path: '/v1/partners', fn: 'partners', auth: 'partners:write', summary: 'Create a local partner business', tags: ['partners'], body: PartnerCreateSchema, response: PartnerSchema, successStatus: 201, idempotent: true }),
  route({ id: 'listPartners', method: 'GET', path: '/v1/partners', fn: 'partners', auth: 'partners:read', summary: 'List partners', tags: ['partners'], query: ListQuerySchema, response: listOf(PartnerSchema) }),
  route({ id: 'getPartner', method: 'GET', path: '/v1/partners/{id}', fn: 'partners', auth: 'partners:read', summary: 'Get a partner', tags: ['partners'], response: PartnerSchema }),
  route({ id: 'updatePartner', method: 'PATCH', path: '/v1/partners/{id}', fn: 'partners', auth: 'partners:write', summary: 'Update a partner', tags: ['partners'], body: PartnerPatchSchema, response: PartnerSchema }),
  route({ id: 'deletePartner', method: 'DELETE', path: '/v1/partners/{id}', fn: 'partners', auth: 'partners:write', summary: 'Delete a partner (409 while geofences use it)', tags: ['partners'], successStatus: 204 }),

  route({ id: 'createGeofence', method: 'POST', path: '/v1/geofences', fn: 'geofences', auth: 'geofences:write', summary: 'Create a geofence', tags: ['geofences'], body: GeofenceCreateSchema, response: GeofenceSchema, successStatus: 201, idempotent: true }),
  route({ id: 'listGeofences', method: 'GET', path: '/v1/geofences', fn: 'geofences', auth: 'geofences:read', summary: 'List geofences (filters: storeId, tag)', tags: ['geofences'], query: GeofenceListQuerySchema, response: listOf(GeofenceSchema) }),
  route({ id: 'lookupGeofences', method: 'GET', path: '/v1/geofences/lookup', fn: 'geofences', auth: 'geofences:read', summary: 'Enabled geofences containing a point', description: 'Reads one H3 index partition per ladder resolution and at most one batch of candidate fences, whatever the tenant size; containment is decided exactly on each candidate geometry (holes respected).', tags: ['geofences'], query: LookupQuerySchema, response: z.object({ items: z.array(GeofenceSchema) }) }),
  route({ id: 'getGeofence', method: 'GET', path: '/v1/geofences/{id}', fn: 'geofences', auth: 'geofences:read', summary: 'Get a geofence', tags: ['geofences'], response: GeofenceSchema }),
  route({ id: 'replaceGeofence', method: 'PUT', path: '/v1/geofences/{id}', fn: 'geofences', auth: 'geofences:write', summary: 'Replace a geofence', tags: ['geofences'], body: GeofenceCreateSchema, response: GeofenceSchema }),
  route({ id: 'updateGeofence', method: 'PATCH', path: '/v1/geofences/{id}', fn: 'geofences', auth: 'geofences:write', summary: 'Update a geofence', tags: ['geofences'], body: GeofencePatchSchema, response: GeofenceSchema }),
  route({ id: 'deleteGeofence', method: 'DELETE', path: '/v1/geofences/{id}', fn: 'geofences', auth: 'geofences:write', summary: 'Delete a geofence (409 while campaigns use it)', tags: ['geofences'], successStatus: 204 }),
] as const;
