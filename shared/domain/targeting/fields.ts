/**
 * The shopper profile fields an audience rule may target, and the limits
 * shared by the request schemas.
 */

/** Value kinds of profile fields; `unknown` is a free-form `attributes.<name>`. */
export type FieldKind = 'string' | 'enum' | 'number' | 'date' | 'stringArray' | 'unknown';

export const RELATIONSHIPS = ['prospect', 'customer', 'lapsed', 'referred'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export const PRICE_SENSITIVITIES = ['low', 'medium', 'high'] as const;
export type PriceSensitivity = (typeof PRICE_SENSITIVITIES)[number];

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** Profile fields an audience rule may name directly, with their value kind. */
export const PROFILE_FIELDS = {
  firstName: { kind: 'string' },
  relationship: { kind: 'enum', values: RELATIONSHIPS },
  jobTitle: { kind: 'string' },
  industry: { kind: 'string' },
  companySize: { kind: 'number' },
  needs: { kind: 'stringArray' },
  loyaltyTier: { kind: 'string' },
  loyaltyPoints: { kind: 'number' },
  lastPurchaseAt: { kind: 'date' },
  priceSensitivity: { kind: 'enum', values: PRICE_SENSITIVITIES },
} as const satisfies Record<string, { kind: FieldKind; values?: readonly string[] }>;

export type ProfileFieldName = keyof typeof PROFILE_FIELDS;
export const PROFILE_FIELD_NAMES = Object.keys(PROFILE_FIELDS) as ProfileFieldName[];

/** Prefix of custom attribute references in audience rules: `attributes.homeCity`. */
export const ATTRIBUTE_PREFIX = 'attributes.';
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
/** Full attribute reference accepted in a rule: `attributes.<key>`. */
export const ATTRIBUTE_REF_PATTERN = /^attributes\.[A-Za-z0-9_]{1,64}$/;

/** Limits shared by the schemas (and quoted in error messages and docs). */
export const LIMITS = {
  nameMax: 200,
  shortTextMax: 200,
  offerTitleMax: 200,
  offerBodyMax: 2000,
  offerCodeMax: 64,
  geofenceIdsMax: 100,
  rulesMax: 50,
  ruleValuesMax: 100,
  ruleStringValueMax: 256,
  needsMax: 50,
  attributesMax: 50,
  attributeStringMax: 256,
  companySizeMax: 10_000_000,
  loyaltyPointsMax: 1_000_000_000_000,
  ruleNumberAbsMax: 1_000_000_000_000_000,
  daysMax: 36_500,
  validForMinutesMax: 43_200,
  budgetMaxOffersMax: 10_000_000,
  frequencyCapMaxOffersMax: 1000,
  frequencyCapPerHoursMax: 8760,
  holdoutPercentMax: 50,
  priorityAbsMax: 1000,
  dwellMinutesMax: 720,
} as const;

/**
 * Describes what a rule's `attribute` refers to: a known profile field, a
 * custom attribute (kind `unknown`), or nothing valid (`undefined`).
 */
export function resolveAttribute(
  attribute: string,
): { kind: FieldKind; values?: readonly string[]; field?: ProfileFieldName; key?: string } | undefined {
  if (Object.hasOwn(PROFILE_FIELDS, attribute)) {
    const field = attribute as ProfileFieldName;
    const def: { kind: FieldKind; values?: readonly string[] } = PROFILE_FIELDS[field];
    return { kind: def.kind, values: def.values, field };
  }
  if (ATTRIBUTE_REF_PATTERN.test(attribute)) {
    return { kind: 'unknown', key: attribute.slice(ATTRIBUTE_PREFIX.length) };
  }
  return undefined;
}
