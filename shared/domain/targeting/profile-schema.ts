import * as z from 'zod';
import { recordKeySchema } from '../values/keys.js';
import { IsoDateTimeSchema } from '../values/time.js';
import { ATTRIBUTE_KEY_PATTERN, LIMITS, PRICE_SENSITIVITIES, RELATIONSHIPS } from './fields.js';

/** Value schemas of a shopper profile: its fields, custom attributes and consent. */

const shortText = (what: string, max: number = LIMITS.shortTextMax) => z.string().min(1).max(max).describe(what);

export const ConsentSchema = z
  .strictObject({
    location: z.boolean().describe('The shopper agreed to location-based processing.'),
    marketing: z.boolean().describe('The shopper agreed to receive marketing offers.'),
  })
  .describe('Consent given by the shopper. Offers need both flags true.');

/** The name of a custom attribute (`attributes.<name>` in audience rules, a publishable key's `deviceAttributes`). */
export const AttributeNameSchema = recordKeySchema(
  ATTRIBUTE_KEY_PATTERN,
  'attribute names are 1-64 letters, digits or underscores',
).describe('Attribute name');

export const AttributesSchema = z
  .record(AttributeNameSchema, z.union([z.string().max(LIMITS.attributeStringMax), z.number(), z.boolean()]))
  .refine((rec) => Object.keys(rec).length <= LIMITS.attributesMax, {
    error: `at most ${LIMITS.attributesMax} attributes`,
  })
  .meta({
    maxProperties: LIMITS.attributesMax,
    description:
      'Custom shopper attributes (at most 50; names 1-64 letters, digits or underscores; strings at most 256 characters). ' +
      'Audience rules refer to them as "attributes.<name>".',
  });

const profileFields = {
  firstName: shortText('First name, used by the {{firstName}} placeholder.', LIMITS.nameMax).optional(),
  relationship: z
    .enum(RELATIONSHIPS)
    .describe('Relationship with the brand: prospect, customer, lapsed (win-back) or referred.')
    .optional(),
  jobTitle: shortText('Job title, e.g. "Office Manager".').optional(),
  industry: shortText('Industry the shopper works in, e.g. "Hospitality".').optional(),
  companySize: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.companySizeMax)
    .describe("Number of employees of the shopper's company.")
    .optional(),
  needs: z
    .array(z.string().min(1).max(LIMITS.shortTextMax))
    .max(LIMITS.needsMax)
    .describe('Stated customer needs, e.g. ["gluten-free", "delivery"] (at most 50).')
    .optional(),
  loyaltyTier: shortText('Loyalty programme tier, e.g. "gold".').optional(),
  loyaltyPoints: z.number().min(0).max(LIMITS.loyaltyPointsMax).describe('Loyalty points balance.').optional(),
  lastPurchaseAt: IsoDateTimeSchema.describe('Time of the last purchase (ISO 8601).').optional(),
  priceSensitivity: z.enum(PRICE_SENSITIVITIES).describe("How strongly price drives the shopper's purchases.").optional(),
  attributes: AttributesSchema.optional(),
};

/** A stored shopper profile: every field optional, consent required. */
export const ProfileSchema = z
  .strictObject({
    ...profileFields,
    consent: ConsentSchema,
  })
  .describe('Shopper profile: the fields audiences target, and consent.');

/**
 * Profile fields with consent optional: what an audience is evaluated
 * against, and what an offer request may send for itself (see `mergeProfile`).
 */
export const ProfileFieldsSchema = z
  .strictObject({
    ...profileFields,
    consent: ConsentSchema.optional(),
  })
  .describe('Shopper profile fields, consent optional.');

export type Consent = z.output<typeof ConsentSchema>;
/** A shopper profile as stored and as used by targeting: every field optional except consent. */
export type Profile = z.output<typeof ProfileSchema>;
export type ShopperProfile = Profile;
/** Any profile-shaped value an audience can be evaluated against (consent not needed). */
export type ProfileFields = z.output<typeof ProfileFieldsSchema>;
/** The profile an offer request sends for itself. */
export type InlineProfile = ProfileFields;
