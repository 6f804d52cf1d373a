import * as z from 'zod';
import {
  AudienceSchema,
  BudgetSchema,
  CAMPAIGN_KINDS,
  CAMPAIGN_STATUSES,
  CONFIDENCES,
  FrequencyCapSchema,
  LIMITS,
  OfferTemplateSchema,
  ScheduleSchema,
  campaignPartnerIssues,
  campaignTriggerIssues,
  TRIGGERS,
  type CampaignChanges,
  type CampaignSettings,
} from '../../domain/targeting/index.js';
import { IdSchema } from '../../domain/values/id.js';
import { route } from '../route.js';
import { ListQuerySchema, NameSchema, listOf } from './common.js';

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

const campaignFields = {
  name: NameSchema.describe('Campaign name (at most 200 characters).'),
  kind: z
    .enum(CAMPAIGN_KINDS)
    .describe('"location": the tenant\'s own store offer; "local_partner": an offer from a nearby partner business.'),
  status: z.enum(CAMPAIGN_STATUSES),
  geofenceIds: z
    .array(IdSchema.describe('Geofence id'))
    .min(1)
    .max(LIMITS.geofenceIdsMax)
    .refine(unique, { error: 'geofence ids must not repeat' })
    .describe('Geofences where the campaign fires (1-100).'),
  partnerId: IdSchema.describe('Partner that makes the offer; required for local_partner campaigns, refused otherwise.'),
  audience: AudienceSchema,
  offer: OfferTemplateSchema,
  schedule: ScheduleSchema,
  budget: BudgetSchema,
  frequencyCap: FrequencyCapSchema,
  holdoutPercent: z.number().int().min(0).max(LIMITS.holdoutPercentMax),
  priority: z.number().int().min(-LIMITS.priorityAbsMax).max(LIMITS.priorityAbsMax),
  minConfidence: z.enum(CONFIDENCES),
  trigger: z.enum(TRIGGERS),
  dwellMinutes: z.number().int().min(1).max(LIMITS.dwellMinutesMax),
};

const TRIGGER_TEXT =
  'When it fires: "enter" (default) once per visit on entering, "dwell" once per visit after dwellMinutes inside, ' +
  '"exit" once on leaving, "inside" on every location inside (limited only by the frequency cap and budget).';
const DWELL_TEXT = 'Minutes inside before a dwell campaign fires (1-720); required with trigger "dwell", refused otherwise.';

const STATUS_TEXT = 'draft (default) and paused campaigns never fire; active ones do.';
const HOLDOUT_TEXT =
  'Percent of shoppers (0-50) deterministically kept as a control group: recorded but not offered, to measure lift.';
const PRIORITY_TEXT = 'Higher priority offers are listed first (-1000 to 1000).';
const CONFIDENCE_TEXT = 'Least location confidence needed: low (circle touches), medium (point inside), high (circle inside).';

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
    trigger: campaignFields.trigger.default('enter').describe(TRIGGER_TEXT),
    dwellMinutes: campaignFields.dwellMinutes.describe(DWELL_TEXT).optional(),
  })
  .superRefine(
    (c, ctx) => {
      const partnerId = typeof c.partnerId === 'string' ? c.partnerId : undefined;
      const trigger = (TRIGGERS as readonly unknown[]).includes(c.trigger) ? c.trigger : undefined;
      const dwellMinutes = typeof c.dwellMinutes === 'number' ? c.dwellMinutes : undefined;
      for (const issue of [
        ...campaignPartnerIssues(c.kind, partnerId),
        ...(trigger ? campaignTriggerIssues(trigger, dwellMinutes) : []),
      ]) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    },
    // Also runs when other fields are invalid, so the partner rule is reported in the same response.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('A micromarketing campaign.') satisfies z.ZodType<CampaignSettings>;

/**
 * Body of `PATCH /v1/campaigns/{id}`: any field but `kind`, which cannot
 * change. No defaults are applied, so fields left out keep their value.
 * `audience`, `offer`, `schedule`, `budget` and `frequencyCap` are replaced
 * as a whole; `null` removes an optional one. The service checks the result
 * with `campaignPatchIssues` against the stored campaign's kind.
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
    frequencyCap: campaignFields.frequencyCap.nullable().describe('Replaces the frequency cap; null removes it.').optional(),
    holdoutPercent: campaignFields.holdoutPercent.describe(HOLDOUT_TEXT).optional(),
    priority: campaignFields.priority.describe(PRIORITY_TEXT).optional(),
    minConfidence: campaignFields.minConfidence.describe(CONFIDENCE_TEXT).optional(),
    trigger: campaignFields.trigger.describe(TRIGGER_TEXT).optional(),
    dwellMinutes: campaignFields.dwellMinutes.nullable().describe(`${DWELL_TEXT} null removes it.`).optional(),
  })
  .describe('Changes to a campaign; fields left out are kept.') satisfies z.ZodType<CampaignChanges>;

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(CAMPAIGN_KINDS),
    status: z.enum(CAMPAIGN_STATUSES),
    geofenceIds: z.array(z.string()),
    partnerId: z.string().nullable(),
    trigger: z.enum(TRIGGERS).describe(TRIGGER_TEXT),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .loose()
  .describe(CampaignCreateSchema.description ?? 'A campaign');

export const campaignRoutes = [
  route({
    id: 'createCampaign',
    method: 'POST',
    path: '/v1/campaigns',
    fn: 'campaigns',
    auth: 'campaigns:write',
    summary: 'Create a campaign',
    tags: ['campaigns'],
    body: CampaignCreateSchema,
    response: CampaignSchema,
    successStatus: 201,
    idempotent: true,
  }),
  route({
    id: 'listCampaigns',
    method: 'GET',
    path: '/v1/campaigns',
    fn: 'campaigns',
    auth: 'campaigns:read',
    summary: 'List campaigns',
    tags: ['campaigns'],
    query: ListQuerySchema,
    response: listOf(CampaignSchema),
  }),
  route({
    id: 'getCampaign',
    method: 'GET',
    path: '/v1/campaigns/{id}',
    fn: 'campaigns',
    auth: 'campaigns:read',
    summary: 'Get a campaign',
    tags: ['campaigns'],
    response: CampaignSchema,
  }),
  route({
    id: 'updateCampaign',
    method: 'PATCH',
    path: '/v1/campaigns/{id}',
    fn: 'campaigns',
    auth: 'campaigns:write',
    summary: 'Update a campaign',
    tags: ['campaigns'],
    body: CampaignPatchSchema,
    response: CampaignSchema,
  }),
  route({
    id: 'deleteCampaign',
    method: 'DELETE',
    path: '/v1/campaigns/{id}',
    fn: 'campaigns',
    auth: 'campaigns:write',
    summary: 'Delete a campaign',
    tags: ['campaigns'],
    successStatus: 204,
  }),
] as const;
