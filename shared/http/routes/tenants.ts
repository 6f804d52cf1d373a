import * as z from 'zod';
import { route } from '../route.js';
import { NameSchema } from './common.js';

export const TenantCreateSchema = z.object({ name: NameSchema }).strict();
export const TenantSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export const TenantCreatedSchema = z.object({
  tenant: TenantSchema,
  adminKey: z.string().describe('A secret key with every scope. Shown once.'),
});

export const tenantRoutes = [
  route({
    id: 'createTenant',
    method: 'POST',
    path: '/v1/tenants',
    fn: 'tenants',
    auth: 'operator',
    summary: 'Create a tenant (merchant) and its first admin key',
    tags: ['tenants'],
    body: TenantCreateSchema,
    response: TenantCreatedSchema,
    successStatus: 201,
    idempotent: true,
  }),
] as const;
