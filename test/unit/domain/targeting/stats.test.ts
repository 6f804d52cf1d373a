import { describe, expect, it } from 'vitest';
import { computeLift, suppressSmall } from '../../../../shared/domain/targeting/index.js';

describe('computeLift', () => {
  it('computes exact conversion rates and relative lift', () => {
    expect(computeLift({ shoppers: 1000, converters: 60 }, { shoppers: 200, converters: 10 })).toEqual({
      conversionRate: { treatment: 0.06, holdout: 0.05 },
      lift: (0.06 - 0.05) / 0.05,
    });
    expect(computeLift({ shoppers: 1000, converters: 60 }, { shoppers: 200, converters: 10 }).lift).toBeCloseTo(0.2, 12);
  });

  it('keeps rates unrounded', () => {
    const r = computeLift({ shoppers: 3, converters: 1 }, { shoppers: 7, converters: 1 });
    expect(r.conversionRate).toEqual({ treatment: 1 / 3, holdout: 1 / 7 });
    expect(r.lift).toBe((1 / 3 - 1 / 7) / (1 / 7));
  });

  it('reports negative lift when the offers did worse than the control group', () => {
    expect(computeLift({ shoppers: 100, converters: 4 }, { shoppers: 100, converters: 5 }).lift).toBeCloseTo(-0.2, 12);
  });

  it('returns null rates for empty arms and null lift when it is undefined', () => {
    expect(computeLift({ shoppers: 0, converters: 0 }, { shoppers: 0, converters: 0 })).toEqual({
      conversionRate: { treatment: null, holdout: null },
      lift: null,
    });
    expect(computeLift({ shoppers: 50, converters: 5 }, { shoppers: 0, converters: 0 })).toEqual({
      conversionRate: { treatment: 0.1, holdout: null },
      lift: null,
    });
    expect(computeLift({ shoppers: 50, converters: 5 }, { shoppers: 40, converters: 0 })).toEqual({
      conversionRate: { treatment: 0.1, holdout: 0 },
      lift: null,
    });
    expect(computeLift({ shoppers: 0, converters: 0 }, { shoppers: 40, converters: 4 })).toEqual({
      conversionRate: { treatment: null, holdout: 0.1 },
      lift: null,
    });
    expect(computeLift({ shoppers: 40, converters: 0 }, { shoppers: 40, converters: 4 })).toEqual({
      conversionRate: { treatment: 0, holdout: 0.1 },
      lift: -1,
    });
  });
});

describe('suppressSmall', () => {
  const rows = [
    { date: '2026-06-01', shoppers: 42, offered: 50, redeemed: 7 },
    { date: '2026-06-02', shoppers: 10, offered: 12, redeemed: 2 },
    { date: '2026-06-03', shoppers: 9, offered: 9, redeemed: 1 },
    { date: '2026-06-04', shoppers: 0, offered: 0, redeemed: 0 },
  ];

  it('nulls the counts of rows behind fewer than 10 shoppers and never reports the shopper count', () => {
    expect(suppressSmall(rows)).toEqual([
      { date: '2026-06-01', offered: 50, redeemed: 7, suppressed: false },
      { date: '2026-06-02', offered: 12, redeemed: 2, suppressed: false },
      { date: '2026-06-03', offered: null, redeemed: null, suppressed: true },
      { date: '2026-06-04', offered: null, redeemed: null, suppressed: true },
    ]);
    for (const row of suppressSmall(rows)) expect(row).not.toHaveProperty('shoppers');
  });

  it('honours another threshold and keeps other key fields', () => {
    expect(suppressSmall([{ geofenceId: 'gf_1', shoppers: 4, offered: 4, redeemed: 0 }], 3)).toEqual([
      { geofenceId: 'gf_1', offered: 4, redeemed: 0, suppressed: false },
    ]);
    expect(suppressSmall([{ geofenceId: 'gf_1', shoppers: 4, offered: 4, redeemed: 0 }], 5)).toEqual([
      { geofenceId: 'gf_1', offered: null, redeemed: null, suppressed: true },
    ]);
    expect(suppressSmall([])).toEqual([]);
  });

  it('optionally hides a second row so a lone hidden row cannot be recovered from the total', () => {
    const three = [
      { geofenceId: 'a', shoppers: 50, offered: 60, redeemed: 9 },
      { geofenceId: 'b', shoppers: 12, offered: 15, redeemed: 3 },
      { geofenceId: 'c', shoppers: 3, offered: 3, redeemed: 1 },
    ];
    expect(suppressSmall(three, 10, { secondary: true }).map((r) => r.suppressed)).toEqual([false, true, true]);
    expect(suppressSmall(three, 10).map((r) => r.suppressed)).toEqual([false, false, true]);
  });

  it('refuses a threshold below 1', () => {
    expect(() => suppressSmall(rows, 0)).toThrow(RangeError);
  });
});
