import * as z from 'zod';
import { HhMmSchema, IsoDateTimeSchema, TimeZoneSchema } from '../values/time.js';

/** Value schema of a campaign schedule; `isInSchedule` evaluates it. */

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

export const ScheduleSchema = z
  .strictObject({
    startsAt: IsoDateTimeSchema.describe('First instant the campaign may fire (inclusive).').optional(),
    endsAt: IsoDateTimeSchema.describe('Instant the campaign stops firing (exclusive).').optional(),
    timezone: TimeZoneSchema.describe('IANA time zone in which daysOfWeek and hours are read, e.g. "Europe/Madrid".'),
    daysOfWeek: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine(unique, { error: 'days must not repeat' })
      .describe('ISO weekdays the campaign runs on: 1 = Monday … 7 = Sunday. Omitted: every day.')
      .optional(),
    hours: z
      .strictObject({
        from: HhMmSchema.describe('Start of the daily window, local time, inclusive.'),
        to: HhMmSchema.describe('End of the daily window, local time, exclusive.'),
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
