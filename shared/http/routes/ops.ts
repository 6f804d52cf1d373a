import * as z from 'zod';
import { route } from '../route.js';

export const HealthSchema = z.object({ status: z.literal('ok') });

export const opsRoutes = [
  route({
    id: 'health',
    method: 'GET',
    path: '/health',
    fn: 'ops',
    auth: 'none',
    summary: 'Liveness check',
    tags: ['operations'],
    response: HealthSchema,
  }),
  route({
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    fn: 'ops',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    tags: ['operations'],
    response: z.object({ openapi: z.string() }).loose(),
  }),
] as const;
