import { describe, expect, it } from 'vitest';
import { BUDGET_SHARDS, shardAllowance, shardCount } from '../../../shared/store/budget.js';

describe('budget shards', () => {
  it('splits any budget into allowances that add up to it exactly', () => {
    for (const max of [1, 2, 5, 15, 16, 17, 37, 50, 100, 1_000, 999_999]) {
      const n = shardCount(max);
      const allowances = Array.from({ length: BUDGET_SHARDS }, (_, i) => shardAllowance(max, i));
      expect(allowances.reduce((a, b) => a + b, 0)).toBe(max);
      expect(allowances.slice(0, n).every((a) => a >= 1)).toBe(true);
      expect(allowances.slice(n).every((a) => a === 0)).toBe(true);
      expect(Math.max(...allowances.slice(0, n)) - Math.min(...allowances.slice(0, n))).toBeLessThanOrEqual(1);
    }
  });

  it('uses one shard per unit for a small budget and 16 for a large one', () => {
    expect(shardCount(1)).toBe(1);
    expect(shardCount(5)).toBe(5);
    expect(shardCount(50)).toBe(BUDGET_SHARDS);
    expect([0, 1, 2, 3, 4, 5].map((i) => shardAllowance(5, i))).toEqual([1, 1, 1, 1, 1, 0]);
    expect([0, 1, 2, 15].map((i) => shardAllowance(37, i))).toEqual([3, 3, 3, 2]);
  });
});
