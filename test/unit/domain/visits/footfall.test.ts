import { describe, expect, it } from 'vitest';
import { footfallReport, localDayHour, medianMinutes, type FootfallEntry } from '../../../../shared/domain/visits/footfall.js';

const entry = (date: string, hour: number, first: boolean, dayOfWeek = 1): FootfallEntry => ({ date, dayOfWeek, hour, first });

describe('localDayHour', () => {
  it("reads the date, ISO weekday and hour on the store's wall clock, across daylight saving", () => {
    // 2026-03-08 is the spring-forward Sunday in New York: 06:30 UTC is 01:30 EST, 07:30 UTC is 03:30 EDT.
    expect(localDayHour('America/New_York', new Date('2026-03-08T06:30:00Z'))).toEqual({
      date: '2026-03-08',
      dayOfWeek: 7,
      hour: 1,
    });
    expect(localDayHour('America/New_York', new Date('2026-03-08T07:30:00Z'))).toEqual({
      date: '2026-03-08',
      dayOfWeek: 7,
      hour: 3,
    });
    // Just before midnight UTC is already the next day in Tokyo.
    expect(localDayHour('Asia/Tokyo', new Date('2026-10-04T23:30:00Z'))).toEqual({ date: '2026-10-05', dayOfWeek: 1, hour: 8 });
  });

  it('uses UTC for a fence without store, and for a zone it does not know', () => {
    expect(localDayHour(undefined, new Date('2026-10-05T00:15:00Z'))).toEqual({ date: '2026-10-05', dayOfWeek: 1, hour: 0 });
    expect(localDayHour('Mars/Olympus', new Date('2026-10-05T23:59:00Z'))).toEqual({
      date: '2026-10-05',
      dayOfWeek: 1,
      hour: 23,
    });
  });
});

describe('medianMinutes', () => {
  it('is the middle value, the lower middle of an even count, and null for none', () => {
    expect(medianMinutes([9, 1, 5])).toBe(5);
    expect(medianMinutes([4, 1, 3, 2])).toBe(2);
    expect(medianMinutes([])).toBeNull();
  });
});

describe('footfallReport', () => {
  it('counts visits and first visits per day, suppresses a day of fewer than 10 visitors, and takes the median dwell of the day', () => {
    const entries = [
      ...Array.from({ length: 10 }, () => entry('2026-10-05', 9, true)),
      entry('2026-10-05', 17, false),
      ...Array.from({ length: 9 }, () => entry('2026-10-06', 9, true, 2)),
    ];
    const dwells = [5, 10, 15, 20, 25].map((dwellMinutes) => ({ date: '2026-10-05', dwellMinutes }));
    const report = footfallReport(entries, [...dwells, { date: '2026-10-07', dwellMinutes: 99 }]);
    expect(report.byDay).toEqual([
      { date: '2026-10-05', visits: 11, visitors: 10, medianDwellMinutes: 15, suppressed: false },
      { date: '2026-10-06', visits: null, visitors: null, medianDwellMinutes: null, suppressed: true },
    ]);
  });

  it('shows an hour of the week only when one day alone had 10 first visits in it', () => {
    // 9 first visits on each of two Mondays at 9: 18 visits, but possibly only 9 people.
    const twoMondays = [
      ...Array.from({ length: 9 }, () => entry('2026-10-05', 9, true)),
      ...Array.from({ length: 9 }, () => entry('2026-10-12', 9, true)),
    ];
    expect(footfallReport(twoMondays, []).byHourOfWeek).toEqual([{ dayOfWeek: 1, hour: 9, visits: null, suppressed: true }]);
    const busy = [...twoMondays, entry('2026-10-12', 9, true)];
    expect(footfallReport(busy, []).byHourOfWeek).toEqual([{ dayOfWeek: 1, hour: 9, visits: 19, suppressed: false }]);
  });
});
