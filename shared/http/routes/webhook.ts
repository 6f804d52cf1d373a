import * as z from 'zod';
import { WEBHOOK_EVENTS } from '../../store/webhooks.js';
import { route } from '../route.js';

const SecretSchema = z
  .string()
  .describe(
    'Signing secret, `whsec_` + base64 of 32 random bytes. Verify deliveries with any Standard Webhooks library ' +
      '(standardwebhooks.com): HMAC-SHA256 keyed with the bytes after `whsec_`.',
  );

export const WebhookSetSchema = z
  .object({
    url: z.url().max(2048).describe('https (http too in local mode); link-local addresses are always refused.'),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .max(20)
      .optional()
      .describe(
        'The events POSTed to the URL (each once; a repeat is ignored). Default ["offer.created"]. Without offer.created, offers read deliveryStatus "not_configured".',
      ),
  })
  .strict();

export const WebhookSchema = z.object({
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  secret: SecretSchema.describe(
    'The current signing secret: created on the first PUT, the same on later ones (until POST /v1/webhook/rotate-secret).',
  ),
});

export const WebhookSecretRotatedSchema = z.object({
  secret: SecretSchema.describe('The new current signing secret.'),
  previousSecretExpiresAt: z
    .string()
    .describe('Until then (24 h) the replaced secret signs every delivery too: webhook-signature carries both.'),
});

export const WebhookTestResultSchema = z.object({
  delivered: z.boolean().describe('The receiver answered 2xx within the delivery timeout.'),
  status: z.number().int().nullable().describe('HTTP status of the answer; null when none came (refused, timed out).'),
  ms: z.number().describe('Time to the answer (or the failure), milliseconds.'),
  error: z.string().optional().describe('Why it was not delivered (no URL or address in it).'),
});

export const webhookRoutes = [
  route({
    id: 'setWebhook',
    method: 'PUT',
    path: '/v1/webhook',
    fn: 'webhook',
    auth: 'webhooks:write',
    summary: 'Set the webhook that receives offers and visit events (returns its signing secret)',
    description:
      'The secret is created on the first PUT and kept on later ones. Tenant-wide: a store-restricted key gets 403. ' +
      'Deliveries are signed per Standard Webhooks: headers webhook-id, webhook-timestamp, webhook-signature.',
    tags: ['webhooks'],
    body: WebhookSetSchema,
    response: WebhookSchema,
    extraErrors: [409],
  }),
  route({
    id: 'rotateWebhookSecret',
    method: 'POST',
    path: '/v1/webhook/rotate-secret',
    fn: 'webhook',
    auth: 'webhooks:write',
    summary: 'Make a new signing secret; the replaced one keeps signing for 24 h',
    description:
      'During the overlap every delivery carries one signature per secret (space-separated in webhook-signature), ' +
      'so a receiver verifies with either. 404 when no webhook is set.',
    tags: ['webhooks'],
    response: WebhookSecretRotatedSchema,
    extraErrors: [404, 409],
  }),
  route({
    id: 'testWebhook',
    method: 'POST',
    path: '/v1/webhook/test',
    fn: 'webhook',
    auth: 'webhooks:write',
    summary: 'Send a signed webhook.test event now and report how the receiver answered',
    description:
      'Not queued, not retried; the same URL rules as deliveries (checked again at connect time) and the same timeout. ' +
      'A receiver that refuses, fails or does not answer in time is `delivered: false` (200), never an error of this API. ' +
      '404 when no webhook is set.',
    tags: ['webhooks'],
    response: WebhookTestResultSchema,
    extraErrors: [404],
  }),
] as const;
