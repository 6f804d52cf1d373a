import { describe, expect, it } from 'vitest';
import { isCapFull, liveSlots } from '../../../../shared/domain/offers/index.js';

const NOW = Date.parse('2025-03-12T10:00:00Z');
const HOUR = 3_600_000;

describe('frequency cap', () => {
  it('keeps the slots taken less than perHours ago and drops one taken exactly that long ago', () => {
    const slots = { old: NOW - 2 * HOUR, edge: NOW - 2 * HOUR + 1, fresh: NOW - 1, now: NOW };
    expect(liveSlots(slots, { maxOffers: 5, perHours: 2 }, NOW)).toEqual([
      ['edge', NOW - 2 * HOUR + 1],
      ['fresh', NOW - 1],
      ['now', NOW],
    ]);
  });

  it('is full when the live slots reach maxOffers', () => {
    const cap = { maxOffers: 2, perHours: 24 };
    expect(isCapFull({ slots: { a: NOW - HOUR, b: NOW - 23 * HOUR } }, cap, NOW)).toBe(true);
    expect(isCapFull({ slots: { a: NOW - HOUR, b: NOW - 24 * HOUR } }, cap, NOW)).toBe(false);
    expect(isCapFull({ slots: { a: NOW - HOUR, b: NOW - 2 * HOUR, c: NOW - 3 * HOUR } }, cap, NOW)).toBe(true);
  });

  it('has room when the shopper has no cap item yet', () => {
    expect(isCapFull(undefined, { maxOffers: 1, perHours: 1 }, NOW)).toBe(false);
  });
});
