import * as z from 'zod';
import { VISIT_EVENT_TYPES } from '../../domain/visits/visits.js';
import { LatLngSchema } from '../../domain/geo/schema.js';
import { AMOUNT_MAX, AmountSchema } from '../../domain/offers/amount.js';
import { CAMPAIGN_KINDS, CONFIDENCES, ProfileFieldsSchema } from '../../domain/targeting/index.js';
import { IdSchema } from '../../domain/values/id.js';
import { IsoDateTimeSchema } from '../../domain/values/time.js';
import { DELIVERY_STATUSES, OFFER_STATUSES } from '../../store/offers.js';
import { route } from '../route.js';

/**
 * `profile` inside `POST /v1/offers`: the profile fields, all optional. Used
 * for this request only and never stored; see `mergeProfile` for how it
 * combines with the stored profile (consent sent here can only revoke), and
 * `deviceProfileErrors` for what a publishable key may send.
 */
export const InlineProfileSchema = ProfileFieldsSchema.describe(
  'Profile fields sent with an offer request, for this request only (never stored). ' +
    'With a secret key they override the stored profile. ' +
    "With a publishable key only `consent` and the `attributes.<name>` listed in the key's `deviceAttributes` are accepted; " +
    'any other field is 422 naming it (audience data comes from the stored profile, PUT /v1/shoppers/{shopperId}). ' +
    'Consent sent here can withdraw but never grant consent recorded on the stored profile; with a publishable key, ' +
    'a shopper without a stored profile has no consent.',
);

export const OfferRequestSchema = z
  .object({
    shopperId: IdSchema.optional().describe(
      'Your identifier for the shopper (not an email or phone number). Required with a secret key. ' +
        "With a publishable key it may be omitted (the Shopper-Token's `sub` is used); if sent it must equal `sub`, else 403.",
    ),
    location: LatLngSchema.extend({
      accuracyM: z
        .number()
        .min(0)
        .max(100_000)
        .optional()
        .describe('Radius of the location fix, metres. Over 1,000 matches nothing.'),
    }),
    at: IsoDateTimeSchema.optional().describe(
      "The time of the location fix (default: now); with a publishable key within 10 minutes of now. It drives schedules, visits and dwell (a server may replay a recorded walk); a fix older than the shopper's latest matches but does not move the visit state back. Budgets, caps and expiry always use the real time.",
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
  geofences: z
    .array(z.string())
    .describe(
      "With a secret key, every geofence the location matched (within the key's stores). With a publishable key, only the geofences of the offers and events in this response, so an app cannot map the tenant's geofences.",
    ),
  events: z
    .array(
      z.object({
        type: z.enum(VISIT_EVENT_TYPES),
        geofenceId: z.string(),
        at: z.string().describe('The time of the fix that made the event.'),
        dwellMinutes: z.number().int().optional().describe('geofence.dwelled: the dwell threshold reached.'),
      }),
    )
    .describe(
      "What this fix did to the shopper's visits: entered (medium or high confidence), exited (the accuracy circle wholly outside by 25 m or more), dwelled (a dwell campaign's threshold reached). Each at most once per visit.",
    ),
});

export const StoredOfferSchema = OfferSchema.extend({
  status: z.enum(OFFER_STATUSES),
  shopperId: z.string(),
  createdAt: z.string(),
  redeemedAt: z.string().optional(),
  deliveryStatus: z.enum(DELIVERY_STATUSES),
  deliveryAttempts: z.number().int(),
});

export const RedeemSchema = z
  .object({
    storeId: IdSchema.optional(),
    amount: AmountSchema.optional(),
  })
  .strict();

export const ConversionSchema = z
  .object({
    shopperId: IdSchema,
    storeId: IdSchema.optional(),
    amount: AmountSchema.optional(),
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
      'Bounded DynamoDB reads and at most one SQS call per request, whatever the number of geofences and campaigns. Without both consents nothing is stored and no offer is made. ' +
      'With a publishable key: the request acts for the shopper of its Shopper-Token (a body shopperId that differs is 403), ' +
      "`profile` may carry only `consent` (withdraw only) and the key's `deviceAttributes` (any other field is 422 naming it), " +
      'and `geofences` lists only the geofences of the offers returned. A held-out shopper gets the same answer as one with no offer.',
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
    description:
      "With a publishable key, only offers of the Shopper-Token's shopper can be redeemed (any other offer is 404). " +
      `\`amount\` is 0 to ${AMOUNT_MAX.toLocaleString('en-US')} with at most 2 decimals.`,
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
    auth: 'conversions:write',
    summary: 'Record a purchase, attributed to campaigns the shopper was eligible for in the last 7 days',
    description:
      "For the tenant's servers (a till, an e-commerce backend): needs `conversions:write`, which publishable keys never hold (403). " +
      `\`amount\` is 0 to ${AMOUNT_MAX.toLocaleString('en-US')} with at most 2 decimals (422 otherwise). ` +
      'A store-restricted key records purchases only at its own stores (`storeId` required).',
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
  // ---- GET /v1/offers/{id}: an offer and its delivery to the webhook (served by the shoppers function) ----
  route({
    id: 'getOffer',
    method: 'GET',
    path: '/v1/offers/{id}',
    fn: 'shoppers',
    auth: 'shoppers:read',
    summary: 'An offer, with its delivery status and its attempts at the webhook',
    description:
      "For the tenant's servers (publishable keys never hold shoppers:read). Another tenant's offer, or one of an erased shopper, is 404; " +
      'a store-restricted key reads only offers of its stores (403). `delivery.attempts` lists the latest 10 attempts, oldest first.',
    tags: ['offers', 'webhooks'],
    response: StoredOfferSchema.extend({
      delivery: z.object({
        status: z.enum(DELIVERY_STATUSES),
        deliveredAt: z.string().optional(),
        attempts: z.array(
          z.object({
            at: z.string().describe('When the attempt started.'),
            status: z.number().int().optional().describe("HTTP status of the receiver's answer; absent when none came."),
            ms: z.number().describe('Time to the answer or the failure, milliseconds.'),
            error: z.string().optional().describe('Why the attempt failed (no URL, address or body in it).'),
          }),
        ),
      }),
    }),
  }),
] as const;
