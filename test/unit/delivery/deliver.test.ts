import { describe, expect, it } from 'vitest';
import { redeliveryDelayS } from '../../../shared/delivery/deliver.js';

describe('delivery backoff', () => {
  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => redeliveryDelayS(n, 10))).toEqual([10, 20, 40, 80]);
    expect([1, 2, 3, 4].map((n) => redeliveryDelayS(n, 1))).toEqual([1, 2, 4, 8]);
  });

  it('never hides a message longer than 15 minutes', () => {
    expect(redeliveryDelayS(4, 300, 10)).toBe(900);
    expect(redeliveryDelayS(9, 10, 10)).toBe(900);
  });

  it('makes the message visible at once after the last attempt, so SQS moves it to the DLQ', () => {
    expect(redeliveryDelayS(5, 10)).toBe(0);
    expect(redeliveryDelayS(6, 10)).toBe(0);
    expect(redeliveryDelayS(3, 10, 3)).toBe(0);
  });
});
