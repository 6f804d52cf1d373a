import * as z from 'zod';
import { LatLngSchema } from '../../domain/geo/schema.js';
import { route } from '../route.js';
import { ListQuerySchema, NameSchema, listOf } from './common.js';

const Category = z.string().trim().min(1).max(100);
const ContactEmail = z.email().max(254);

export const PartnerCreateSchema = z
  .object({
    name: NameSchema,
    category: Category,
    location: LatLngSchema,
    contactEmail: ContactEmail.optional(),
  })
  .strict();
export const PartnerPatchSchema = z
  .object({
    name: NameSchema.optional(),
    category: Category.optional(),
    location: LatLngSchema.optional(),
    contactEmail: ContactEmail.nullable().optional(),
  })
  .strict();
export const PartnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  location: z.object({ lat: z.number(), lng: z.number() }),
  contactEmail: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const partnerRoutes = [
  route({
    id: 'createPartner',
    method: 'POST',
    path: '/v1/partners',
    fn: 'partners',
    auth: 'partners:write',
    summary: 'Create a local partner business',
    tags: ['partners'],
    body: PartnerCreateSchema,
    response: PartnerSchema,
    successStatus: 201,
    idempotent: true,
  }),
  route({
    id: 'listPartners',
    method: 'GET',
    path: '/v1/partners',
    fn: 'partners',
    auth: 'partners:read',
    summary: 'List partners',
    tags: ['partners'],
    query: ListQuerySchema,
    response: listOf(PartnerSchema),
  }),
  route({
    id: 'getPartner',
    method: 'GET',
    path: '/v1/partners/{id}',
    fn: 'partners',
    auth: 'partners:read',
    summary: 'Get a partner',
    tags: ['partners'],
    response: PartnerSchema,
  }),
  route({
    id: 'updatePartner',
    method: 'PATCH',
    path: '/v1/partners/{id}',
    fn: 'partners',
    auth: 'partners:write',
    summary: 'Update a partner',
    tags: ['partners'],
    body: PartnerPatchSchema,
    response: PartnerSchema,
  }),
  route({
    id: 'deletePartner',
    method: 'DELETE',
    path: '/v1/partners/{id}',
    fn: 'partners',
    auth: 'partners:write',
    summary: 'Delete a partner (409 while geofences use it)',
    tags: ['partners'],
    successStatus: 204,
  }),
] as const;
