import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ScheduleSchema } from '../../../../shared/domain/targeting/index.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

describe('schedule schema', () => {
  it('refuses unknown time zones and offsets, and requires one', () => {
    expect(issuePaths(ScheduleSchema, { timezone: 'Mars/Olympus_Mons' })).toEqual(['timezone']);
    expect(issuePaths(ScheduleSchema, { timezone: '+02:00' })).toEqual(['timezone']);
    expect(issuePaths(ScheduleSchema, {})).toEqual(['timezone']);
  });

  it('refuses "25:00", "12:60" and "9:00"', () => {
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '25:00', to: '02:00' } })).toEqual(['hours.from']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '09:00', to: '12:60' } })).toEqual(['hours.to']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '9:00', to: '17:00' } })).toEqual(['hours.from']);
  });

  it('refuses an empty daily window and an end before the start', () => {
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '10:00', to: '10:00' } })).toEqual(['hours.to']);
    expect(
      issuePaths(ScheduleSchema, { timezone: 'UTC', startsAt: '2026-06-02T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' }),
    ).toEqual(['endsAt']);
    expect(
      issuePaths(ScheduleSchema, { timezone: 'UTC', startsAt: '2026-06-01T02:00:00+02:00', endsAt: '2026-06-01T00:00:00Z' }),
    ).toEqual(['endsAt']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', startsAt: 'tomorrow', endsAt: '2026-06-01T00:00:00Z' })).toEqual([
      'startsAt',
    ]);
    expect(
      issuePaths(ScheduleSchema, { timezone: 'Nowhere/City', startsAt: '2026-06-02T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' }),
    ).toEqual(['endsAt', 'timezone']);
  });

  it('accepts ISO weekdays 1-7 without repeats', () => {
    expect(ScheduleSchema.safeParse({ timezone: 'UTC', daysOfWeek: [1, 7] }).success).toBe(true);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', daysOfWeek: [0, 8] })).toEqual(['daysOfWeek.0', 'daysOfWeek.1']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', daysOfWeek: [1, 1] })).toEqual(['daysOfWeek']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', daysOfWeek: [] })).toEqual(['daysOfWeek']);
  });

  it('converts to a closed, described JSON Schema', () => {
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(ScheduleSchema, { io }) as Record<string, unknown>;
      expect(json.type).toBe('object');
      expect(json.additionalProperties).toBe(false);
      expect(typeof json.description).toBe('string');
    }
  });
});
