import { describe, expect, it } from 'vitest';
import { AMOUNT_MAX, AmountSchema } from '../../../../shared/domain/offers/amount.js';

describe('money amounts', () => {
  it('accepts 0 to 1,000,000 with at most 2 decimals, floating-point sums included', () => {
    expect(AMOUNT_MAX).toBe(1_000_000);
    for (const v of [0, 0.01, 0.1 + 0.2, 4.35, 18.9, 2.03, 123_456.78, 999_999.99, 1_000_000])
      expect({ v, ok: AmountSchema.safeParse(v).success }).toEqual({ v, ok: true });
  });

  it('refuses more, fewer than 0, a third decimal and anything that is not a finite number', () => {
    for (const v of [1e9, 1_000_000.01, -1, -0.01, 0.001, 4.355, Number.NaN, Number.POSITIVE_INFINITY, '5', null])
      expect({ v, ok: AmountSchema.safeParse(v).success }).toEqual({ v, ok: false });
    const issue = AmountSchema.safeParse(1.001).error?.issues[0];
    expect(issue?.message).toBe('at most 2 decimals');
  });
});
