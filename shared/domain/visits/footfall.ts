import { SUPPRESSION_K } from '../targeting/index.js';
import { wallClock } from '../values/time.js';

/**
 * Footfall of a geofence (GET /v1/geofences/{id}/visits), from anonymous
 * records the offer path writes: one per visit begun (its local date, weekday
 * and hour in the store's time zone, and whether it was that shopper's first
 * visit of the day there) and one per visit ended (the local date it began on,
 * and its dwell in minutes). No shopper id and no exact time is kept in them.
 * Pure: aggregation and suppression.
 */

export interface FootfallEntry {
  date: string;
  dayOfWeek: number;
  hour: number;
  /** The shopper's first visit of that local day at this fence: counts them once among the day's visitors. */
  first: boolean;
}

export interface FootfallDwell {
  date: string;
  dwellMinutes: number;
}

export interface FootfallDay {
  date: string;
  visits: number | null;
  visitors: number | null;
  medianDwellMinutes: number | null;
  suppressed: boolean;
}

export interface FootfallHour {
  dayOfWeek: number;
  hour: number;
  visits: number | null;
  suppressed: boolean;
}

/** The local date (YYYY-MM-DD), ISO weekday (1 = Monday) and hour of `at` in `timeZone` (UTC when unknown). */
export function localDayHour(timeZone: string | undefined, at: Date): { date: string; dayOfWeek: number; hour: number } {
  let local: ReturnType<typeof wallClock>;
  try {
    local = wallClock(timeZone || 'UTC', at);
  } catch {
    local = wallClock('UTC', at);
  }
  return { date: local.date, dayOfWeek: local.isoWeekday, hour: local.hour };
}

/** The median of whole minutes (the lower middle of an even count, so it is always a dwell that happened). */
export function medianMinutes(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The report: a row per local day that had visits (days without any are left out), distinct visitors and
 * the median dwell of the visits that began that day and have ended; visits per weekday and hour. A day behind
 * fewer than `k` distinct visitors is suppressed (counts null), as campaign stats are. An hour-of-week row is shown
 * only when, on some one day, at least `k` distinct shoppers made their first visit of the day in that hour: a
 * lower bound on its distinct visitors (without shopper ids, the records cannot tell the same shopper on two days
 * apart), so it never shows a row behind fewer than `k` people.
 */
export function footfallReport(
  entries: readonly FootfallEntry[],
  dwells: readonly FootfallDwell[],
  k: number = SUPPRESSION_K,
): { byDay: FootfallDay[]; byHourOfWeek: FootfallHour[] } {
  const days = new Map<string, { visits: number; visitors: number; dwell: number[] }>();
  const day = (date: string) => {
    const known = days.get(date);
    if (known) return known;
    const d = { visits: 0, visitors: 0, dwell: [] as number[] };
    days.set(date, d);
    return d;
  };
  const hours = new Map<string, { dayOfWeek: number; hour: number; visits: number; firstsByDate: Map<string, number> }>();
  for (const e of entries) {
    const d = day(e.date);
    d.visits++;
    if (e.first) d.visitors++;
    const key = `${e.dayOfWeek}:${e.hour}`;
    let h = hours.get(key);
    if (!h) {
      h = { dayOfWeek: e.dayOfWeek, hour: e.hour, visits: 0, firstsByDate: new Map<string, number>() };
      hours.set(key, h);
    }
    h.visits++;
    if (e.first) h.firstsByDate.set(e.date, (h.firstsByDate.get(e.date) ?? 0) + 1);
  }
  for (const w of dwells) if (days.has(w.date)) day(w.date).dwell.push(w.dwellMinutes);
  const byDay = [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([date, d]): FootfallDay =>
        d.visitors < k
          ? { date, visits: null, visitors: null, medianDwellMinutes: null, suppressed: true }
          : { date, visits: d.visits, visitors: d.visitors, medianDwellMinutes: medianMinutes(d.dwell), suppressed: false },
    );
  const byHourOfWeek = [...hours.values()]
    .sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.hour - b.hour)
    .map(
      (h): FootfallHour =>
        Math.max(0, ...h.firstsByDate.values()) < k
          ? { dayOfWeek: h.dayOfWeek, hour: h.hour, visits: null, suppressed: true }
          : { dayOfWeek: h.dayOfWeek, hour: h.hour, visits: h.visits, suppressed: false },
    );
  return { byDay, byHourOfWeek };
}
