import * as z from 'zod';
import { route } from '../route.js';

export const WebhookSetSchema = z.object({ url: z.url().max(2048) }).strict();
export const WebhookSchema = z.object({
  url: z.string(),
  secret: z.string().describe('Signing secret for Webhook-Signature (HMAC-SHA256).'),
});

export const webhookRoutes = [
  route({
    id: 'setWebhook',
    method: 'PUT',
    path: '/v1/webhook',
    fn: 'webhook',
    auth: 'webhooks:write',
    summary: 'Set the webhook that receives offers (returns its signing secret)',
    tags: ['webhooks'],
    body: WebhookSetSchema,
    response: WebhookSchema,
  }),
] as const;
