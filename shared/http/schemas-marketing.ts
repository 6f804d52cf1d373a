import { z } from 'zod';
import { CampaignCreateSchema } from '../domain/targeting/schemas.js';

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['location', 'local_partner']),
    status: z.enum(['draft', 'active', 'paused']),
    geofenceIds: z.array(z.string()),
    partnerId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .loose()
  .describe(CampaignCreateSchema.description ?? 'A campaign');

const nullableCount = z.number().int().nullable();

export const CampaignStatsSchema = z.object({
  eligible: z.number().int(),
  offered: z.number().int(),
  heldOut: z.number().int(),
  delivered: z.number().int(),
  deliveryFailed: z.number().int(),
  redeemed: z.number().int(),
  conversions: z.object({ treatment: z.number().int(), holdout: z.number().int() }).describe('Distinct shoppers who bought within 7 days of being offered (treatment) or held out (holdout).'),
  conversionRate: z.object({ treatment: z.number().nullable(), holdout: z.number().nullable() }),
  lift: z.number().nullable().describe('(treatment rate - holdout rate) / holdout rate; null when undefined.'),
  budget: z.object({ maxOffers: z.number().int(), used: z.number().int(), remaining: z.number().int() }).nullable(),
  byDay: z.array(z.object({ date: z.string(), offered: nullableCount, redeemed: nullableCount, suppressed: z.boolean() })),
  byGeofence: z.array(z.object({ geofenceId: z.string(), offered: nullableCount, redeemed: nullableCount, suppressed: z.boolean() })),
});

export const WebhookSetSchema = z.object({ url: z.url().max(2048) }).strict();
export const WebhookSchema = z.object({ url: z.string(), secret: z.string().describe('Signing secret for Webhook-Signature (HMAC-SHA256).') });
