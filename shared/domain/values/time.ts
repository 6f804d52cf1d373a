import * as z from 'zod';

/**
 * Time values every resource shares: IANA time zones (stores, campaign
 * schedules), "HH:MM" times of day, and ISO 8601 dates and date-times. Each
 * rule is written here once; request schemas reuse these schemas.
 */

export const TIME_ZONE_MAX = 64;
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * Explains why `timeZone` is not an acceptable IANA time zone name, or
 * returns `undefined` when it is. Accepts every name the runtime's time zone
 * database knows (canonical names such as `Europe/Madrid`, `UTC`, and links
 * such as `US/Eastern`), refuses UTC offsets (`+02:00`, which ignore daylight
 * saving) and names spelled in the wrong case.
 */
export function timeZoneIssue(timeZone: string): string | undefined {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > TIME_ZONE_MAX || !IANA_NAME.test(timeZone)) {
    return 'must be an IANA time zone name such as "Europe/Madrid" or "UTC"';
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone "${timeZone}"; use an IANA name such as "Europe/Madrid" or "UTC"`;
  }
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) {
    return `time zone names are case-sensitive; did you mean "${resolved}"?`;
  }
  return undefined;
}

/** True when `timeZone` is an IANA time zone name this runtime can evaluate. */
export function isValidTimeZone(timeZone: string): boolean {
  return timeZoneIssue(timeZone) === undefined;
}

/** An IANA time zone name, checked by {@link timeZoneIssue} (one issue, its message). */
export const TimeZoneSchema = z
  .string()
  .superRefine((tz, ctx) => {
    const message = timeZoneIssue(tz);
    if (message) ctx.addIssue({ code: 'custom', message });
  })
  .meta({ minLength: 1, maxLength: TIME_ZONE_MAX })
  .describe('IANA time zone, e.g. "Europe/Madrid"');

/** A time of day, "HH:MM" from 00:00 to 23:59 (two digits each). */
export const HH_MM_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Parses "HH:MM" (00:00–23:59) into minutes after midnight, or `undefined`. */
export function parseHhMm(value: string): number | undefined {
  if (typeof value !== 'string' || !HH_MM_PATTERN.test(value)) return undefined;
  return Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
}

export const HhMmSchema = z
  .string()
  .regex(HH_MM_PATTERN, { error: 'must be a time "HH:MM" between 00:00 and 23:59' })
  .describe('Time of day, "HH:MM" (00:00-23:59)');

/** An ISO 8601 date-time with a UTC designator or offset: "2026-03-08T14:30:00Z", "…+02:00". */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** An ISO 8601 calendar date, "2026-03-08". */
export const IsoDateSchema = z.iso.date();

const ISO_DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/;

/**
 * The instant (epoch milliseconds) of a value that reads as an ISO 8601 date
 * or date-time ("2026-01-01" is 00:00 UTC), or `undefined` for anything else:
 * numbers, free text, impossible dates ("2026-13-01"). How audience rules
 * tell a date from a number or text, both when checking and when evaluating.
 */
export function isoInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_DATE_PREFIX.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

const ISO_WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const WALL_CLOCK_CACHE_MAX = 1000;
const wallClocks = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall clock of `timeZone` at the instant `at`: local date (YYYY-MM-DD),
 * ISO weekday (1 = Monday … 7 = Sunday), hour and minute. Throws a RangeError
 * on an unknown zone. Formatters are kept per zone (at most 1,000).
 */
export function wallClock(timeZone: string, at: Date): { date: string; isoWeekday: number; hour: number; minute: number } {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    if (wallClocks.size >= WALL_CLOCK_CACHE_MAX) wallClocks.clear();
    wallClocks.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const isoWeekday = ISO_WEEKDAYS[parts.weekday];
  if (isoWeekday === undefined) throw new RangeError(`unexpected weekday "${parts.weekday}"`);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    isoWeekday,
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
}
