import * as z from 'zod';
import { AUDIT_ACTIONS, AUDIT_RESOURCES } from '../../domain/values/audit.js';
import { IsoDateTimeSchema } from '../../domain/values/time.js';
import { route } from '../route.js';
import { ListQuerySchema, listOf } from './common.js';

export const AuditQuerySchema = ListQuerySchema.extend({
  from: IsoDateTimeSchema.optional().describe('Earliest entry time (ISO 8601 date-time), inclusive.'),
  to: IsoDateTimeSchema.optional().describe('Latest entry time (ISO 8601 date-time), inclusive; not before `from`.'),
}).strict();

export const AuditEntrySchema = z.object({
  at: z.string().describe('When the action was done (ISO 8601).'),
  keyId: z.string().describe('The API key that did it.'),
  action: z.enum(AUDIT_ACTIONS),
  resource: z.enum(AUDIT_RESOURCES),
  resourceId: z.string().describe('The shopper id, the key id, or "webhook".'),
  requestId: z.string().describe('The X-Request-Id of the request that did it.'),
});

export const auditRoutes = [
  route({
    id: 'listAudit',
    method: 'GET',
    path: '/v1/audit',
    fn: 'keys',
    auth: 'settings:write',
    summary: 'The access audit log, newest first',
    description:
      'Who (key id) read, wrote, exported or erased a shopper, created or revoked a key, set the webhook or rotated its ' +
      'secret, and in which request. Never the data itself. Entries are kept 400 days. Tenant-wide: a store-restricted key gets 403.',
    tags: ['audit'],
    query: AuditQuerySchema,
    response: listOf(AuditEntrySchema),
  }),
] as const;
