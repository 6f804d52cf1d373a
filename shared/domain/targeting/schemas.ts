import { z } from 'zod';
import {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_PREFIX,
  ATTRIBUTE_REF_PATTERN,
  CONFIDENCES,
  LIMITS,
  PRICE_SENSITIVITIES,
  PROFILE_FIELD_NAMES,
  RELATIONSHIPS,
  resolveAttribute,
} from './fields.js';
import { timeZoneIssue } from './schedule.js';
import { templateIssues } from './template.js';

/** A semantic problem found in a request body; `path` is relative to the checked object. */
export interface TargetingIssue {
  path: (string | number)[];
  message: string;
}

const isoDateTime = () =>
  z.iso.datetime({ offset: true }).describe('ISO 8601 date-time, e.g. "2026-03-08T14:30:00Z"');

const shortText = (what: string, max: number = LIMITS.shortTextMax) =>
  z.string().min(1).max(max).describe(what);

const id = (what: string) => z.string().min(1).max(LIMITS.idMax).describe(what);

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

// ---------------------------------------------------------------------------
// Shoppers
// ---------------------------------------------------------------------------

export const ConsentSchema = z
  .strictObject({
    location: z.boolean().describe('The shopper agreed to location-based processing.'),
    marketing: z.boolean().describe('The shopper agreed to receive marketing offers.'),
  })
  .describe('Consent given by the shopper. Offers need both flags true.');

/** Object keys with a special meaning in JavaScript, refused as names. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const AttributesSchema = z
  .record(
    z
      .string()
      .regex(ATTRIBUTE_KEY_PATTERN, { error: 'attribute names are 1-64 letters, digits or underscores' })
      .refine((k) => !RESERVED_KEYS.has(k), { error: 'this attribute name is reserved' })
      .describe('Attribute name'),
    z.union([z.string().max(LIMITS.attributeStringMax), z.number(), z.boolean()]),
  )
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
    .describe('Number of employees of the shopper\'s company.')
    .optional(),
  needs: z
    .array(z.string().min(1).max(LIMITS.shortTextMax))
    .max(LIMITS.needsMax)
    .describe('Stated customer needs, e.g. ["gluten-free", "delivery"] (at most 50).')
    .optional(),
  loyaltyTier: shortText('Loyalty programme tier, e.g. "gold".').optional(),
  loyaltyPoints: z
    .number()
    .min(0)
    .max(LIMITS.loyaltyPointsMax)
    .describe('Loyalty points balance.')
    .optional(),
  lastPurchaseAt: isoDateTime().describe('Time of the last purchase (ISO 8601).').optional(),
  priceSensitivity: z
    .enum(PRICE_SENSITIVITIES)
    .describe('How strongly price drives the shopper\'s purchases.')
    .optional(),
  attributes: AttributesSchema.optional(),
};

/** Body of `PUT /v1/shoppers/{shopperId}`: the full profile, consent required. */
export const ShopperProfileSchema = z
  .strictObject({
    ...profileFields,
    consent: ConsentSchema,
  })
  .describe('Shopper profile. PUT replaces the whole profile.');

/**
 * `profile` inside `POST /v1/offers`: the same fields, all optional. Used for
 * this request only and never stored; see `mergeProfile` for how it combines
 * with the stored profile (consent sent here can only revoke).
 */
export const InlineProfileSchema = z
  .strictObject({
    ...profileFields,
    consent: ConsentSchema.optional(),
  })
  .describe(
    'Profile fields sent with an offer request. They override the stored profile for this request only and are not stored. ' +
      'Consent sent here can withdraw but never grant consent recorded on the stored profile.',
  );

export type Consent = z.output<typeof ConsentSchema>;
export type ShopperProfile = z.output<typeof ShopperProfileSchema>;
export type InlineProfile = z.output<typeof InlineProfileSchema>;
/** A shopper profile as used by targeting: every field optional except consent. */
export type Profile = ShopperProfile;
/** Any profile-shaped value an audience can be evaluated against (consent not needed). */
export type ProfileFields = InlineProfile;

// ---------------------------------------------------------------------------
// Audiences
// ---------------------------------------------------------------------------

export const AUDIENCE_OPS = [
  'eq',
  'neq',
  'in',
  'nin',
  'gte',
  'lte',
  'between',
  'containsAny',
  'exists',
  'olderThanDays',
  'withinDays',
] as const;
export type AudienceOp = (typeof AUDIENCE_OPS)[number];

const ATTRIBUTE_MESSAGE = `must be a profile field (${PROFILE_FIELD_NAMES.join(', ')}) or "attributes.<name>"`;
const ATTRIBUTE_PATTERN = new RegExp(`^(?:${PROFILE_FIELD_NAMES.join('|')}|${ATTRIBUTE_REF_PATTERN.source.slice(1, -1)})$`);

const attributeRef = z
  .string()
  .max(ATTRIBUTE_PREFIX.length + 64)
  .regex(ATTRIBUTE_PATTERN, { error: ATTRIBUTE_MESSAGE })
  .describe(`Profile field (${PROFILE_FIELD_NAMES.join(', ')}) or "attributes.<name>" for a custom attribute.`);

const ruleString = z.string().max(LIMITS.ruleStringValueMax);
const ruleNumber = z.number().min(-LIMITS.ruleNumberAbsMax).max(LIMITS.ruleNumberAbsMax);
const ruleScalar = z.union([ruleString, ruleNumber, z.boolean()]);
const ruleBound = z.union([
  ruleNumber,
  z.iso.datetime({ offset: true }),
  z.iso.date(),
]).describe('A number, or an ISO 8601 date-time or date (a date alone means 00:00 UTC); dates compare as instants.');
const ruleDays = z
  .number()
  .positive()
  .max(LIMITS.daysMax)
  .describe('Number of days (> 0) counted back from the time of the request.');

const rule = <Op extends readonly [AudienceOp, ...AudienceOp[]], V extends z.ZodType>(ops: Op, value: V, text: string) =>
  z
    .strictObject({
      attribute: attributeRef,
      op: z.enum(ops as unknown as [Op[number], ...Op[number][]]),
      value,
    })
    .describe(text);

export const AudienceRuleSchema = z
  .discriminatedUnion('op', [
    rule(
      ['eq', 'neq'] as const,
      ruleScalar.describe('Value to compare with; text compares case-insensitively.'),
      'eq / neq: equal or not equal. neq also matches shoppers without the attribute.',
    ),
    rule(
      ['in', 'nin'] as const,
      z.array(ruleScalar).min(1).max(LIMITS.ruleValuesMax).describe('1-100 values.'),
      'in / nin: one of, or none of, the values. nin also matches shoppers without the attribute.',
    ),
    rule(['gte', 'lte'] as const, ruleBound, 'gte / lte: at least or at most the value (numbers or dates).'),
    rule(
      ['between'] as const,
      z.tuple([ruleBound, ruleBound]).describe('[low, high], both inclusive.'),
      'between: within [low, high], both inclusive (numbers or dates).',
    ),
    rule(
      ['containsAny'] as const,
      z.array(z.string().min(1).max(LIMITS.ruleStringValueMax)).min(1).max(LIMITS.ruleValuesMax).describe('1-100 values.'),
      'containsAny: the list field (e.g. needs) shares at least one value, case-insensitively.',
    ),
    rule(
      ['exists'] as const,
      z.boolean().default(true).describe('true: the attribute is set and not empty; false: it is not.'),
      'exists: whether the shopper has the attribute.',
    ),
    rule(
      ['olderThanDays', 'withinDays'] as const,
      ruleDays,
      'olderThanDays / withinDays: a date field (e.g. lastPurchaseAt) lies more than, or within, N days before now.',
    ),
  ])
  .describe('One audience rule: {attribute, op, value}.');

const INCOMPATIBLE: Record<string, { ops: readonly AudienceOp[]; hint: string }> = {
  string: {
    ops: ['gte', 'lte', 'between', 'olderThanDays', 'withinDays'],
    hint: 'text fields support eq, neq, in, nin, containsAny and exists',
  },
  enum: {
    ops: ['gte', 'lte', 'between', 'olderThanDays', 'withinDays'],
    hint: 'this field supports eq, neq, in, nin, containsAny and exists',
  },
  stringArray: {
    ops: ['gte', 'lte', 'between', 'olderThanDays', 'withinDays'],
    hint: 'list fields support containsAny, eq, neq, in, nin and exists',
  },
  number: {
    ops: ['containsAny', 'olderThanDays', 'withinDays'],
    hint: 'number fields support eq, neq, in, nin, gte, lte, between and exists',
  },
  date: {
    ops: ['eq', 'neq', 'in', 'nin', 'containsAny'],
    hint: 'date fields support gte, lte, between, withinDays, olderThanDays and exists',
  },
};

function boundKind(v: unknown): 'number' | 'date' | undefined {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(Date.parse(v))) return 'date';
  return undefined;
}

function boundValue(v: unknown): number {
  return typeof v === 'number' ? v : Date.parse(String(v));
}

/**
 * Semantic checks on an audience that its schema cannot express: the op must
 * suit the field (no `gte` on a job title, no `withinDays` on a number),
 * values must have the field's type (numbers for `companySize`, dates for
 * `lastPurchaseAt`, a known value for `relationship` and `priceSensitivity`,
 * so a typo such as "custmer" is refused instead of matching nobody), and
 * `between` bounds must be of one kind with low <= high. Custom
 * `attributes.<name>` fields have no declared type and are only checked for
 * `between` order. Paths are relative to the audience (`["rules", 0, "value"]`).
 */
export function audienceIssues(audience: { rules?: readonly unknown[] } | undefined | null): TargetingIssue[] {
  return collectAudienceIssues(audience, true);
}

function collectAudienceIssues(
  audience: { rules?: readonly unknown[] } | undefined | null,
  structural: boolean,
): TargetingIssue[] {
  const issues: TargetingIssue[] = [];
  const rules = audience?.rules;
  if (!Array.isArray(rules)) return issues;
  rules.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object') {
      if (structural) issues.push({ path: ['rules', i], message: 'must be an object {attribute, op, value}' });
      return;
    }
    const r = raw as { attribute?: unknown; op?: unknown; value?: unknown };
    const at = (...rest: (string | number)[]) => ['rules', i, ...rest];
    if (typeof r.attribute !== 'string' || !resolveAttribute(r.attribute)) {
      if (structural) issues.push({ path: at('attribute'), message: ATTRIBUTE_MESSAGE });
      return;
    }
    if (typeof r.op !== 'string' || !(AUDIENCE_OPS as readonly string[]).includes(r.op)) {
      if (structural) issues.push({ path: at('op'), message: `must be one of ${AUDIENCE_OPS.join(', ')}` });
      return;
    }
    const op = r.op as AudienceOp;
    const field = resolveAttribute(r.attribute)!;
    const bad = INCOMPATIBLE[field.kind];
    if (bad && bad.ops.includes(op)) {
      issues.push({ path: at('op'), message: `"${op}" does not apply to ${r.attribute}; ${bad.hint}` });
      return;
    }

    // Values each op compares with, paired with their path.
    const values: { v: unknown; path: (string | number)[] }[] = [];
    if (op === 'eq' || op === 'neq' || op === 'gte' || op === 'lte') values.push({ v: r.value, path: at('value') });
    if ((op === 'in' || op === 'nin' || op === 'containsAny' || op === 'between') && Array.isArray(r.value)) {
      r.value.forEach((v, j) => values.push({ v, path: at('value', j) }));
    }

    for (const { v, path } of values) {
      switch (field.kind) {
        case 'enum': {
          const allowed = field.values ?? [];
          if (typeof v !== 'string' || !allowed.includes(v.trim().toLowerCase())) {
            issues.push({ path, message: `must be one of ${allowed.join(', ')}` });
          }
          break;
        }
        case 'string':
        case 'stringArray':
          if (typeof v !== 'string') issues.push({ path, message: `${r.attribute} is text; compare it with text` });
          break;
        case 'number':
          if (typeof v !== 'number') issues.push({ path, message: `${r.attribute} is a number; compare it with a number` });
          break;
        case 'date':
          if (boundKind(v) !== 'date') {
            issues.push({ path, message: `${r.attribute} is a date; compare it with an ISO 8601 date-time` });
          }
          break;
        default:
          break;
      }
    }

    if (op === 'between' && Array.isArray(r.value) && r.value.length === 2) {
      const [lo, hi] = r.value;
      const kl = boundKind(lo);
      const kh = boundKind(hi);
      if (kl && kh && kl !== kh) {
        issues.push({ path: at('value'), message: 'both bounds must be numbers or both dates' });
      } else if (kl && kh && boundValue(lo) > boundValue(hi)) {
        issues.push({ path: at('value'), message: 'the low bound must not exceed the high bound' });
      }
    }
  });
  return issues;
}

/** Who a campaign targets. Omitted or no rules: every consenting shopper in its geofences. */
export const AudienceSchema = z
  .strictObject({
    match: z
      .enum(['all', 'any'])
      .default('all')
      .describe('"all": a shopper must satisfy every rule; "any": at least one rule.'),
    rules: z.array(AudienceRuleSchema).max(LIMITS.rulesMax).describe('At most 50 rules; none means everyone.'),
  })
  .superRefine(
    (audience, ctx) => {
      // Runs even when some rules are malformed, so every problem is reported in one response;
      // rules the rule schema already refused are not checked again.
      const refused = new Set(ctx.issues.filter((i) => i.path?.[0] === 'rules').map((i) => i.path?.[1]));
      for (const issue of collectAudienceIssues(audience, false)) {
        if (!refused.has(issue.path[1])) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('Audience: which shoppers a campaign targets, as rules on profile fields.');

export type AudienceRule = z.output<typeof AudienceRuleSchema>;
export type AudienceRuleInput = z.input<typeof AudienceRuleSchema>;
export type Audience = z.output<typeof AudienceSchema>;
export type AudienceInput = z.input<typeof AudienceSchema>;

// ---------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------

const hhmm = (what: string) =>
  z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time "HH:MM" between 00:00 and 23:59' })
    .describe(what);

export const ScheduleSchema = z
  .strictObject({
    startsAt: isoDateTime().describe('First instant the campaign may fire (inclusive).').optional(),
    endsAt: isoDateTime().describe('Instant the campaign stops firing (exclusive).').optional(),
    timezone: z
      .string()
      .min(1)
      .max(LIMITS.timezoneMax)
      .superRefine((tz, ctx) => {
        const message = timeZoneIssue(tz);
        if (message) ctx.addIssue({ code: 'custom', message });
      })
      .describe('IANA time zone in which daysOfWeek and hours are read, e.g. "Europe/Madrid".'),
    daysOfWeek: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine(unique, { error: 'days must not repeat' })
      .describe('ISO weekdays the campaign runs on: 1 = Monday … 7 = Sunday. Omitted: every day.')
      .optional(),
    hours: z
      .strictObject({
        from: hhmm('Start of the daily window, local time, inclusive.'),
        to: hhmm('End of the daily window, local time, exclusive.'),
      })
      .refine((h) => h.from !== h.to, { error: 'from and to must differ', path: ['to'] })
      .describe(
        'Daily window in local time. When "from" is later than "to" the window crosses midnight and ' +
          'belongs to the day it starts on (Friday 22:00-02:00 includes Saturday 01:00).',
      )
      .optional(),
  })
  .superRefine(
    (s, ctx) => {
      const start = typeof s.startsAt === 'string' ? Date.parse(s.startsAt) : Number.NaN;
      const end = typeof s.endsAt === 'string' ? Date.parse(s.endsAt) : Number.NaN;
      if (Number.isFinite(start) && Number.isFinite(end) && !(start < end)) {
        ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be later than startsAt' });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('When the campaign may fire.');

export type Schedule = z.output<typeof ScheduleSchema>;

// ---------------------------------------------------------------------------
// Offers and campaigns
// ---------------------------------------------------------------------------

const templateText = (max: number, what: string) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      for (const message of templateIssues(text)) ctx.addIssue({ code: 'custom', message });
    })
    .describe(what);

export const OfferTemplateSchema = z
  .strictObject({
    title: templateText(
      LIMITS.offerTitleMax,
      'Offer title (at most 200 characters); may use {{firstName}}, {{storeName}}, {{partnerName}}, {{distanceM}}.',
    ),
    body: templateText(
      LIMITS.offerBodyMax,
      'Offer text (at most 2,000 characters); may use {{firstName}}, {{storeName}}, {{partnerName}}, {{distanceM}}.',
    ),
    code: z.string().min(1).max(LIMITS.offerCodeMax).describe('Coupon code shown to the shopper.').optional(),
    validForMinutes: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.validForMinutesMax)
      .describe('Minutes an issued offer stays redeemable (1-43,200, i.e. up to 30 days).'),
  })
  .describe('The offer a shopper receives.');

export type OfferTemplate = z.output<typeof OfferTemplateSchema>;

export const CAMPAIGN_KINDS = ['location', 'local_partner'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];
export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const BudgetSchema = z
  .strictObject({
    maxOffers: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.budgetMaxOffersMax)
      .describe('Most offers the campaign may ever issue (1-10,000,000).'),
  })
  .describe('Campaign budget, never exceeded.');

export const FrequencyCapSchema = z
  .strictObject({
    maxOffers: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.frequencyCapMaxOffersMax)
      .describe('Most offers one shopper may get from this campaign per window (1-1,000).'),
    perHours: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.frequencyCapPerHoursMax)
      .describe('Window length in hours (1-8,760).'),
  })
  .describe('Per-shopper frequency cap, never exceeded.');

const campaignFields = {
  name: shortText('Campaign name (at most 200 characters).', LIMITS.nameMax),
  kind: z
    .enum(CAMPAIGN_KINDS)
    .describe('"location": the tenant\'s own store offer; "local_partner": an offer from a nearby partner business.'),
  status: z.enum(CAMPAIGN_STATUSES),
  geofenceIds: z
    .array(id('Geofence id'))
    .min(1)
    .max(LIMITS.geofenceIdsMax)
    .refine(unique, { error: 'geofence ids must not repeat' })
    .describe('Geofences where the campaign fires (1-100).'),
  partnerId: id('Partner that makes the offer; required for local_partner campaigns, refused otherwise.'),
  audience: AudienceSchema,
  offer: OfferTemplateSchema,
  schedule: ScheduleSchema,
  budget: BudgetSchema,
  frequencyCap: FrequencyCapSchema,
  holdoutPercent: z.number().int().min(0).max(LIMITS.holdoutPercentMax),
  priority: z.number().int().min(-LIMITS.priorityAbsMax).max(LIMITS.priorityAbsMax),
  minConfidence: z.enum(CONFIDENCES),
};

const STATUS_TEXT = 'draft (default) and paused campaigns never fire; active ones do.';
const HOLDOUT_TEXT =
  'Percent of shoppers (0-50) deterministically kept as a control group: recorded but not offered, to measure lift.';
const PRIORITY_TEXT = 'Higher priority offers are listed first (-1000 to 1000).';
const CONFIDENCE_TEXT = 'Least location confidence needed: low (circle touches), medium (point inside), high (circle inside).';

/**
 * The partner rule shared by create and update: a `local_partner` campaign
 * names its partner, a `location` campaign has none.
 */
export function campaignPartnerIssues(kind: CampaignKind, partnerId: string | null | undefined): TargetingIssue[] {
  if (kind === 'local_partner' && (partnerId === undefined || partnerId === null)) {
    return [{ path: ['partnerId'], message: 'required for local_partner campaigns' }];
  }
  if (kind === 'location' && partnerId !== undefined && partnerId !== null) {
    return [{ path: ['partnerId'], message: 'only local_partner campaigns have a partner; use kind "local_partner"' }];
  }
  return [];
}

/** Body of `POST /v1/campaigns`. */
export const CampaignCreateSchema = z
  .strictObject({
    name: campaignFields.name,
    kind: campaignFields.kind,
    status: campaignFields.status.default('draft').describe(STATUS_TEXT),
    geofenceIds: campaignFields.geofenceIds,
    partnerId: campaignFields.partnerId.optional(),
    audience: campaignFields.audience.optional(),
    offer: campaignFields.offer,
    schedule: campaignFields.schedule.optional(),
    budget: campaignFields.budget.optional(),
    frequencyCap: campaignFields.frequencyCap.optional(),
    holdoutPercent: campaignFields.holdoutPercent.default(0).describe(HOLDOUT_TEXT),
    priority: campaignFields.priority.default(0).describe(PRIORITY_TEXT),
    minConfidence: campaignFields.minConfidence.default('low').describe(CONFIDENCE_TEXT),
  })
  .superRefine(
    (c, ctx) => {
      const partnerId = typeof c.partnerId === 'string' ? c.partnerId : undefined;
      for (const issue of campaignPartnerIssues(c.kind, partnerId)) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    },
    // Also runs when other fields are invalid, so the partner rule is reported in the same response.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('A micromarketing campaign.');

/**
 * Body of `PATCH /v1/campaigns/{id}`: any field but `kind`, which cannot
 * change. No defaults are applied, so fields left out keep their value.
 * `audience`, `offer`, `schedule`, `budget` and `frequencyCap` are replaced
 * as a whole; `null` removes an optional one. Check the result with
 * {@link campaignPatchIssues} against the stored campaign's kind.
 */
export const CampaignPatchSchema = z
  .strictObject({
    kind: z
      .never({ error: 'kind cannot be changed; create a new campaign instead' })
      .describe('Cannot be changed; leave it out.')
      .optional(),
    name: campaignFields.name.optional(),
    status: campaignFields.status.describe(STATUS_TEXT).optional(),
    geofenceIds: campaignFields.geofenceIds.optional(),
    partnerId: campaignFields.partnerId.nullable().optional(),
    audience: campaignFields.audience.nullable().describe('Replaces the audience; null targets everyone.').optional(),
    offer: campaignFields.offer.describe('Replaces the whole offer.').optional(),
    schedule: campaignFields.schedule.nullable().describe('Replaces the schedule; null removes it.').optional(),
    budget: campaignFields.budget.nullable().describe('Replaces the budget; null removes it.').optional(),
    frequencyCap: campaignFields.frequencyCap
      .nullable()
      .describe('Replaces the frequency cap; null removes it.')
      .optional(),
    holdoutPercent: campaignFields.holdoutPercent.describe(HOLDOUT_TEXT).optional(),
    priority: campaignFields.priority.describe(PRIORITY_TEXT).optional(),
    minConfidence: campaignFields.minConfidence.describe(CONFIDENCE_TEXT).optional(),
  })
  .describe('Changes to a campaign; fields left out are kept.');

export type CampaignCreate = z.output<typeof CampaignCreateSchema>;
export type CampaignCreateInput = z.input<typeof CampaignCreateSchema>;
export type CampaignPatch = z.output<typeof CampaignPatchSchema>;

/**
 * Checks a parsed patch against the stored campaign: after the patch a
 * `local_partner` campaign must still name a partner (so `partnerId: null`
 * is refused) and a `location` campaign may not gain one.
 */
export function campaignPatchIssues(current: { kind: CampaignKind; partnerId?: string | null }, patch: CampaignPatch): TargetingIssue[] {
  const partnerId = patch.partnerId === undefined ? current.partnerId : patch.partnerId;
  return campaignPartnerIssues(current.kind, partnerId);
}
