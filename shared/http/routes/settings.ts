import * as z from 'zod';
import { RETENTION_KNOBS, RETENTION_LIMITS, type RetentionKnob } from '../../domain/values/retention.js';
import { route } from '../route.js';

const WHAT: Record<RetentionKnob, string> = {
  profileDays:
    'the profile, counted from its latest write; purchases (conversions) and the distinct-shopper markers behind report counts follow it',
  offersDays: 'offers, counted from when each was made (valid or not), and the eligibility records conversions are attributed to',
  visitsDays: 'the visit state (fences the shopper is inside) and geofence events',
  locationDays: "the shopper's last coarse location (an H3 cell)",
};

const knob = (k: RetentionKnob) =>
  z
    .number()
    .int()
    .min(RETENTION_LIMITS[k].min)
    .max(RETENTION_LIMITS[k].max)
    .describe(
      `Days kept (${RETENTION_LIMITS[k].min}-${RETENTION_LIMITS[k].max}, default ${RETENTION_LIMITS[k].default}): ${WHAT[k]}.`,
    );

export const RetentionSchema = z.object(
  Object.fromEntries(RETENTION_KNOBS.map((k) => [k, knob(k)])) as Record<RetentionKnob, ReturnType<typeof knob>>,
);

export const SettingsSchema = z.object({ retention: RetentionSchema });

export const SettingsPatchSchema = z
  .object({
    retention: RetentionSchema.partial()
      .strict()
      .describe('The knobs to change; the others keep their values. A shorter value applies at once to items already kept.'),
  })
  .strict();

export const settingsRoutes = [
  route({
    id: 'getSettings',
    method: 'GET',
    path: '/v1/settings',
    fn: 'keys',
    auth: 'settings:write',
    summary: "The tenant's settings: how long each kind of item about a shopper is kept",
    description: 'Tenant-wide: a store-restricted key gets 403.',
    tags: ['settings'],
    response: SettingsSchema,
  }),
  route({
    id: 'updateSettings',
    method: 'PATCH',
    path: '/v1/settings',
    fn: 'keys',
    auth: 'settings:write',
    summary: 'Change retention: shorter applies at once on every read, and is deleted in the background',
    description:
      'Items older than a shortened retention are absent from every read at once (the offer path, redemption, ' +
      'conversions and stats counting see the change within 30 s) and are deleted by a daily sweep. A longer retention applies to items written after it: ' +
      'an item is never kept past the life it was written with. Recorded in the audit log as settings.update. ' +
      'Tenant-wide: a store-restricted key gets 403.',
    tags: ['settings'],
    body: SettingsPatchSchema,
    response: SettingsSchema.describe('The settings after the change.'),
  }),
] as const;
