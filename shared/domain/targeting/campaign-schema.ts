import * as z from 'zod';
import type { Audience, TargetingIssue } from './audience-schema.js';
import { type Confidence, LIMITS } from './fields.js';
import type { Schedule } from './schedule-schema.js';
import { templateIssues } from './template.js';

/** Value schemas of a campaign's parts (offer, budget, frequency cap), its enums and its partner rule. */

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
    perHours: z.number().int().min(1).max(LIMITS.frequencyCapPerHoursMax).describe('Window length in hours (1-8,760).'),
  })
  .describe('Per-shopper frequency cap, never exceeded.');

/**
 * When a campaign fires (domain/visits): `enter` once per visit on entering one of its fences (the default for new
 * campaigns), `dwell` once per visit after `dwellMinutes` inside, `exit` once on leaving, `inside` on every
 * location inside (v1.0's only behaviour; campaigns stored without a trigger keep it).
 */
export const TRIGGERS = ['enter', 'dwell', 'exit', 'inside'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** `dwellMinutes` is required with the `dwell` trigger and refused with any other. */
export function campaignTriggerIssues(trigger: Trigger, dwellMinutes: number | null | undefined): TargetingIssue[] {
  const has = dwellMinutes !== undefined && dwellMinutes !== null;
  if (trigger === 'dwell' && !has) return [{ path: ['dwellMinutes'], message: 'required when trigger is "dwell"' }];
  if (trigger !== 'dwell' && has)
    return [{ path: ['dwellMinutes'], message: `only dwell campaigns have dwellMinutes (trigger is "${trigger}")` }];
  return [];
}

/** A campaign's settings, as its create request validates them (defaults applied). */
export interface CampaignSettings {
  name: string;
  kind: CampaignKind;
  status: CampaignStatus;
  geofenceIds: string[];
  partnerId?: string;
  audience?: Audience;
  offer: OfferTemplate;
  schedule?: Schedule;
  budget?: z.output<typeof BudgetSchema>;
  frequencyCap?: z.output<typeof FrequencyCapSchema>;
  holdoutPercent: number;
  priority: number;
  minConfidence: Confidence;
  trigger: Trigger;
  dwellMinutes?: number;
}

/**
 * Changes to a campaign, as its update request validates them: any setting
 * but `kind`; `null` removes an optional part.
 */
export interface CampaignChanges {
  kind?: never;
  name?: string;
  status?: CampaignStatus;
  geofenceIds?: string[];
  partnerId?: string | null;
  audience?: Audience | null;
  offer?: OfferTemplate;
  schedule?: Schedule | null;
  budget?: z.output<typeof BudgetSchema> | null;
  frequencyCap?: z.output<typeof FrequencyCapSchema> | null;
  holdoutPercent?: number;
  priority?: number;
  minConfidence?: Confidence;
  trigger?: Trigger;
  dwellMinutes?: number | null;
}

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

/**
 * Checks a parsed patch against the stored campaign: after the patch a
 * `local_partner` campaign must still name a partner (so `partnerId: null`
 * is refused) and a `location` campaign may not gain one; a `dwell` campaign
 * must have `dwellMinutes`, and no other may.
 */
export function campaignPatchIssues(
  current: { kind: CampaignKind; partnerId?: string | null; trigger?: Trigger | null; dwellMinutes?: number | null },
  patch: CampaignChanges,
): TargetingIssue[] {
  const partnerId = patch.partnerId === undefined ? current.partnerId : patch.partnerId;
  const trigger = patch.trigger ?? current.trigger ?? 'inside';
  // Changing the trigger away from dwell drops the threshold unless the patch sets one.
  const dwellMinutes =
    patch.dwellMinutes !== undefined
      ? patch.dwellMinutes
      : patch.trigger && patch.trigger !== 'dwell'
        ? null
        : current.dwellMinutes;
  return [...campaignPartnerIssues(current.kind, partnerId), ...campaignTriggerIssues(trigger, dwellMinutes)];
}
