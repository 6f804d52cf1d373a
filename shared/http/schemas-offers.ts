import { z } from 'zod';
import { InlineProfileSchema } from '../domain/targeting/schemas.js';
import { IdSchema, IsoDateTime } from './schemas.js';

export const OfferRequestSchema = z
  .object({
    shopperId: IdSchema.describe('Your identifier for the shopper (not an email or phone number).'),
    location: z
      .object({
        lat: z.number().min(-90).max(90),
        lng: z.number().min(-180).max(180),
        accuracyM: z.number().min(0).max(100_000).optional().describe('Radius of the location fix, metres. Over 1,000 matches nothing.'),
      })
      .strict(),
    at: IsoDateTime.optional().describe('Instant at which schedules are evaluated (default: now); with a publishable key within 10 minutes of now. Budgets, caps and expiry always use the real time.'),
    profile: InlineProfileSchema.optional(),
  })
  .strict();

export const OfferSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  kind: z.enum(['location', 'local_partner']),
  title: z.string(),
  body: z.string(),
  code: z.string().nullable(),
  geofenceId: z.string(),
  storeId: z.string().nullable(),
  partnerId: z.string().nullable(),
  confidence: z.enum(['low', 'medium', 'high']),
  expiresAt: z.string(),
});

export const OfferResponseSchema = z.object({
  offers: z.array(OfferSchema),
  geofences: z.array(z.string()),
});

export const StoredOfferSchema = OfferSchema.extend({
  status: z.enum(['active', 'redeemed']),
  shopperId: z.string(),
  createdAt: z.string(),
  redeemedAt: z.string().optional(),
  deliveryStatus: z.enum(['pending', 'delivered', 'failed', 'not_configured']),
  deliveryAttempts: z.number().int(),
});

export const RedeemSchema = z
  .object({
    storeId: IdSchema.optional(),
    amount: z.number().min(0).max(1e9).optional(),
  })
  .strict();

export const ConversionSchema = z
  .object({
    shopperId: IdSchema,
    storeId: IdSchema.optional(),
    amount: z.number().min(0).max(1e9).optional(),
    at: IsoDateTime.optional(),
  })
  .strict();
