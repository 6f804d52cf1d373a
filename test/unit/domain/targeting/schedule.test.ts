import { describe, expect, it } from 'vitest';
import { isInSchedule, localTime, type Schedule } from '../../../../shared/domain/targeting/index.js';

/** Evaluates a schedule at several UTC instants. */
const at = (schedule: Schedule | undefined, instants: string[]) => instants.map((i) => isInSchedule(schedule, new Date(i)));

describe('isInSchedule', () => {
  it('is always open without a schedule', () => {
    expect(at(undefined, ['2026-01-01T00:00:00Z', '2030-07-04T12:34:56Z'])).toEqual([true, true]);
  });

  it('treats startsAt as inclusive and endsAt as exclusive instants', () => {
    const s: Schedule = { timezone: 'UTC', startsAt: '2026-06-01T00:00:00Z', endsAt: '2026-07-01T00:00:00+02:00' };
    expect(at(s, ['2026-05-31T23:59:59.999Z', '2026-06-01T00:00:00Z', '2026-06-30T21:59:59Z', '2026-06-30T22:00:00Z'])).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('reads weekday hours on the Madrid wall clock, summer and winter', () => {
    const s: Schedule = { timezone: 'Europe/Madrid', daysOfWeek: [1, 2, 3, 4, 5], hours: { from: '09:00', to: '14:00' } };
    // Wednesday 2026-06-10, CEST (UTC+2): 09:00-14:00 local is 07:00-12:00 UTC.
    expect(at(s, ['2026-06-10T06:59:00Z', '2026-06-10T07:00:00Z', '2026-06-10T11:59:00Z', '2026-06-10T12:00:00Z'])).toEqual([
      false,
      true,
      true,
      false,
    ]);
    // Wednesday 2026-01-14, CET (UTC+1): 08:00-13:00 UTC.
    expect(at(s, ['2026-01-14T07:30:00Z', '2026-01-14T08:00:00Z', '2026-01-14T12:59:00Z', '2026-01-14T13:00:00Z'])).toEqual([
      false,
      true,
      true,
      false,
    ]);
    // Saturday 2026-06-13 at 10:00 local is not a weekday.
    expect(at(s, ['2026-06-13T08:00:00Z'])).toEqual([false]);
  });

  it('takes the weekday from the local date, not the UTC date', () => {
    const sundays: Schedule = { timezone: 'Europe/Madrid', daysOfWeek: [7] };
    // Saturday 22:30 UTC is Sunday 00:30 in Madrid (CEST).
    expect(at(sundays, ['2026-06-13T22:30:00Z', '2026-06-13T21:30:00Z', '2026-06-14T21:59:00Z', '2026-06-14T22:00:00Z'])).toEqual(
      [true, false, true, false],
    );
  });

  it('counts a window crossing midnight as part of the day it starts on', () => {
    const fridayNight: Schedule = { timezone: 'Europe/Madrid', daysOfWeek: [5], hours: { from: '22:00', to: '02:00' } };
    expect(
      at(fridayNight, [
        '2026-06-12T19:59:00Z', // Fri 21:59 local
        '2026-06-12T20:00:00Z', // Fri 22:00, from is inclusive
        '2026-06-12T21:30:00Z', // Fri 23:30
        '2026-06-12T23:00:00Z', // Sat 01:00, still Friday's window
        '2026-06-12T23:59:00Z', // Sat 01:59
        '2026-06-13T00:00:00Z', // Sat 02:00, to is exclusive
        '2026-06-11T23:00:00Z', // Fri 01:00 belongs to Thursday's window
        '2026-06-13T21:00:00Z', // Sat 23:00, Saturday is not selected
      ]),
    ).toEqual([false, true, true, true, true, false, false, false]);
  });

  it('carries a Sunday-night window into Monday morning', () => {
    const sundayNight: Schedule = { timezone: 'UTC', daysOfWeek: [7], hours: { from: '23:00', to: '01:00' } };
    expect(
      at(sundayNight, ['2026-06-14T23:30:00Z', '2026-06-15T00:30:00Z', '2026-06-15T23:30:00Z', '2026-06-14T00:30:00Z']),
    ).toEqual([true, true, false, false]);
  });

  it('opens an overnight window every night when no days are given', () => {
    const nightly: Schedule = { timezone: 'America/New_York', hours: { from: '22:00', to: '06:00' } };
    // 2026-06-10 EDT (UTC-4): 22:00-06:00 local is 02:00-10:00 UTC.
    expect(at(nightly, ['2026-06-10T01:59:00Z', '2026-06-10T02:00:00Z', '2026-06-10T09:59:00Z', '2026-06-10T10:00:00Z'])).toEqual(
      [false, true, true, false],
    );
  });

  it('skips wall-clock times that do not exist when New York springs forward (2026-03-08)', () => {
    const s: Schedule = { timezone: 'America/New_York', hours: { from: '01:30', to: '02:30' } };
    // 01:30-01:59 EST (UTC-5) exist; at 07:00 UTC the clock jumps from 01:59 to 03:00 EDT.
    expect(
      at(s, [
        '2026-03-08T06:29:00Z',
        '2026-03-08T06:30:00Z',
        '2026-03-08T06:59:00Z',
        '2026-03-08T07:00:00Z',
        '2026-03-08T07:15:00Z',
      ]),
    ).toEqual([false, true, true, false, false]);
    // The day before, the same window lasts a full hour (06:30-07:30 UTC).
    expect(at(s, ['2026-03-07T07:00:00Z', '2026-03-07T07:29:00Z', '2026-03-07T07:30:00Z'])).toEqual([true, true, false]);
  });

  it('matches repeated wall-clock times twice when New York falls back (2026-11-01)', () => {
    const s: Schedule = { timezone: 'America/New_York', hours: { from: '01:30', to: '02:30' } };
    expect(
      at(s, [
        '2026-11-01T05:29:00Z', // 01:29 EDT
        '2026-11-01T05:30:00Z', // 01:30 EDT
        '2026-11-01T05:59:00Z', // 01:59 EDT
        '2026-11-01T06:00:00Z', // 01:00 EST, clocks went back
        '2026-11-01T06:29:00Z', // 01:29 EST
        '2026-11-01T06:30:00Z', // 01:30 EST, second time
        '2026-11-01T07:29:00Z', // 02:29 EST
        '2026-11-01T07:30:00Z', // 02:30 EST
      ]),
    ).toEqual([false, true, true, false, false, true, true, false]);
  });

  it('keeps 09:00-17:00 on the local clock across the DST change', () => {
    const s: Schedule = { timezone: 'America/New_York', hours: { from: '09:00', to: '17:00' } };
    // Saturday 2026-03-07, EST (UTC-5): 14:00-22:00 UTC.
    expect(at(s, ['2026-03-07T13:30:00Z', '2026-03-07T14:00:00Z', '2026-03-07T21:30:00Z', '2026-03-07T22:00:00Z'])).toEqual([
      false,
      true,
      true,
      false,
    ]);
    // Sunday 2026-03-08, the DST day, EDT (UTC-4): 13:00-21:00 UTC.
    expect(
      at(s, [
        '2026-03-08T12:59:00Z',
        '2026-03-08T13:00:00Z',
        '2026-03-08T13:30:00Z',
        '2026-03-08T20:59:00Z',
        '2026-03-08T21:00:00Z',
        '2026-03-08T21:30:00Z',
      ]),
    ).toEqual([false, true, true, true, false, false]);
    // Sunday 2026-11-01, back to EST after 06:00 UTC: 14:00-22:00 UTC.
    expect(at(s, ['2026-11-01T13:30:00Z', '2026-11-01T14:00:00Z', '2026-11-01T21:30:00Z', '2026-11-01T22:00:00Z'])).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('fails closed on an unknown time zone, an invalid date or an empty window', () => {
    expect(
      isInSchedule({ timezone: 'Mars/Olympus_Mons', hours: { from: '09:00', to: '17:00' } }, new Date('2026-06-10T12:00:00Z')),
    ).toBe(false);
    expect(isInSchedule({ timezone: 'UTC' }, new Date(Number.NaN))).toBe(false);
    expect(isInSchedule({ timezone: 'UTC', hours: { from: '09:00', to: '09:00' } }, new Date('2026-06-10T09:00:00Z'))).toBe(
      false,
    );
    expect(isInSchedule({ timezone: 'UTC', daysOfWeek: [] }, new Date('2026-06-10T09:00:00Z'))).toBe(false);
  });
});

describe('local time', () => {
  it('reports the local ISO weekday and minutes of an instant', () => {
    expect(localTime('Europe/Madrid', new Date('2026-06-13T22:30:00Z'))).toEqual({ isoWeekday: 7, minutes: 30 });
    expect(localTime('America/New_York', new Date('2026-03-08T07:00:00Z'))).toEqual({ isoWeekday: 7, minutes: 180 });
    expect(localTime('UTC', new Date('2026-06-15T00:00:00Z'))).toEqual({ isoWeekday: 1, minutes: 0 });
  });
});
