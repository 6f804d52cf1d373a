import { parseHhMm, wallClock } from '../values/time.js';
import type { Schedule } from './schedule-schema.js';

/**
 * Wall-clock weekday (ISO, 1 = Monday … 7 = Sunday) and minutes after
 * midnight of the instant `at` in `timeZone`. Throws on an unknown zone.
 */
export function localTime(timeZone: string, at: Date): { isoWeekday: number; minutes: number } {
  const { isoWeekday, hour, minute } = wallClock(timeZone, at);
  return { isoWeekday, minutes: hour * 60 + minute };
}

/**
 * Whether a campaign schedule allows sending at the instant `at`.
 *
 * - No schedule: always.
 * - `startsAt` (inclusive) and `endsAt` (exclusive) are absolute instants.
 * - `daysOfWeek` (ISO, 1 = Monday) and `hours` are read on the wall clock of
 *   `schedule.timezone`, so they follow daylight-saving changes: 09:00–17:00
 *   in America/New_York is 14:00–22:00 UTC in winter and 13:00–21:00 UTC in
 *   summer. On the spring-forward day wall-clock times that do not exist are
 *   simply never reached (01:30–02:30 lasts 30 minutes); on the fall-back day
 *   repeated times match both times they occur (01:30–02:30 lasts 90 minutes).
 * - `hours.from` is inclusive and `hours.to` exclusive. When `from` > `to`
 *   the window crosses midnight and belongs to the day it starts on: with
 *   `daysOfWeek: [5]` and 22:00–02:00, Friday 23:00 and Saturday 01:00 are in,
 *   Friday 01:00 is not (that is Thursday's window).
 * - Fails closed: an unknown time zone, an invalid date, an empty
 *   `daysOfWeek` or `from` equal to `to` never match (the request schema
 *   refuses all of them).
 */
export function isInSchedule(schedule: Schedule | undefined | null, at: Date): boolean {
  if (!schedule) return true;
  const t = at.getTime();
  if (!Number.isFinite(t)) return false;
  if (schedule.startsAt !== undefined && !(t >= Date.parse(schedule.startsAt))) return false;
  if (schedule.endsAt !== undefined && !(t < Date.parse(schedule.endsAt))) return false;

  const days = schedule.daysOfWeek;
  const hours = schedule.hours;
  if (days === undefined && hours === undefined) return true;
  if (days !== undefined && days.length === 0) return false;

  let local: { isoWeekday: number; minutes: number };
  try {
    local = localTime(schedule.timezone, at);
  } catch {
    return false;
  }
  const dayAllowed = (isoDay: number) => days === undefined || days.includes(isoDay);

  if (hours === undefined) return dayAllowed(local.isoWeekday);

  const from = parseHhMm(hours.from);
  const to = parseHhMm(hours.to);
  if (from === undefined || to === undefined || from === to) return false;
  if (from < to) {
    return local.minutes >= from && local.minutes < to && dayAllowed(local.isoWeekday);
  }
  // Crosses midnight: the evening part belongs to today, the early-morning part to yesterday.
  if (local.minutes >= from) return dayAllowed(local.isoWeekday);
  if (local.minutes < to) return dayAllowed(local.isoWeekday === 1 ? 7 : local.isoWeekday - 1);
  return false;
}
