import * as z from 'zod';
import { LatLngSchema } from '../../domain/geo/schema.js';
import { CAMPAIGN_KINDS, CONFIDENCES, ProfileFieldsSchema } from '../../domain/targeting/index.js';
import { IdSchema } from '../../domain/values/id.js';
import { IsoDateTimeSchema } from '../../domain/values/time.js';
import { DELIVERY_STATUSES, OFFER_STATUSES } from '../../store/offers.js';
import { route } from '../route.js';

/**
 * `profile` inside `POST /v1/offers`: the profile fields, all optional. Used
 * for this request only and never stored; see `mergeProfile` for how it
 * combines with the stored profile (consent sent here can only revoke).
 */
export const InlineProfileSchema = ProfileFieldsSchema.describe(
  'Profile fields sent with an offer request. They override the stored profile for this request only and are not stored. ' +
    'Consent sent here can withdraw but never grant consent recorded on the stored profile.',
);

export const OfferRequestSchema = z
  .object({
    shopperId: IdSchema.describe('Your identifier for the shopper (not an email or phone number).'),
    location: LatLngSchema.extend({
      accuracyM: z
        .number()
        .min(0)
        .max(100_000)
        .optional()
        .describe('Radius of the location fix, metres. Over 1,000 matches nothing.'),
    }),
    at: IsoDateTimeSchema.optional().describe(
      'Instant at which schedules are evaluated (default: now); with a publishable key within 10 minutes of now. Budgets, caps and expiry always use the real time.',
    ),
    profile: InlineProfileSchema.optional(),
  })
  .strict();

export const OfferSchema = z.object({
  id: z.string(),
  campaignId: z.string(),
  kind: z.enum(CAMPAIGN_KINDS),
  title: z.string(),
  body: z.string(),
  code: z.string().nullable(),
  geofenceId: z.string(),
  storeId: z.string().nullable(),
  partnerId: z.string().nullable(),
  confidence: z.enum(CONFIDENCES),
  expiresAt: z.string(),
});

export const OfferResponseSchema = z.object({
  offers: z.array(OfferSchema),
  geofences: z.array(z.string()),
});

export const StoredOfferSchema = OfferSchema.extend({
  status: z.enum(OFFER_STATUSES),
  shopperId: z.string(),
  createdAt: z.string(),
  redeemedAt: z.string().optional(),
  deliveryStatus: z.enum(DELIVERY_STATUSES),
  deliveryAttempts: z.number().int(),
});

const Amount = z.number().min(0).max(1e9);

export const RedeemSchema = z
  .object({
    storeId: IdSchema.optional(),
    amount: Amount.optional(),
  })
  .strict();

export const ConversionSchema = z
  .object({
    shopperId: IdSchema,
    storeId: IdSchema.optional(),
    amount: Amount.optional(),
    at: IsoDateTimeSchema.optional(),
  })
  .strict();

export const offerRoutes = [
  route({
    id: 'requestOffers',
    method: 'POST',
    path: '/v1/offers',
    fn: 'offers',
    auth: 'offers:write',
    summary: 'Offers for a shopper at a location (the hot path)',
    description:
      'Bounded DynamoDB reads and at most one SQS call per request, whatever the number of geofences and campaigns. Without both consents nothing is stored and no offer is made.',
    tags: ['offers'],
    body: OfferRequestSchema,
    response: OfferResponseSchema,
    idempotent: true,
  }),
  route({
    id: 'redeemOffer',
    method: 'POST',
    path: '/v1/offers/{id}/redeem',
    fn: 'offers',
    auth: 'offers:redeem',
    summary: 'Redeem an offer (once): 409 if already redeemed, 410 once expired',
    tags: ['offers'],
    body: RedeemSchema,
    response: StoredOfferSchema,
    extraErrors: [410],
  }),
  route({
    id: 'recordConversion',
    method: 'POST',
    path: '/v1/conversions',
    fn: 'offers',
    auth: 'offers:redeem',
    summary: 'Record a purchase, attributed to campaigns the shopper was eligible for in the last 7 days',
    tags: ['offers', 'stats'],
    body: ConversionSchema,
    response: z
      .object({
        id: z.string(),
        attributedTo: z.array(z.object({ campaignId: z.string(), side: z.enum(['treatment', 'holdout']) })),
      })
      .loose(),
    successStatus: 201,
    idempotent: true,
  }),
] as const;
