import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confidenceRank, meetsMinConfidence } from '../../../../shared/domain/targeting/confidence.js';
import { CONFIDENCES, type Confidence } from '../../../../shared/domain/targeting/fields.js';

const confidence = fc.constantFrom(...CONFIDENCES);

describe('location confidence', () => {
  it('ranks low below medium below high', () => {
    expect(CONFIDENCES.map(confidenceRank)).toEqual([0, 1, 2]);
    expect(confidenceRank('low')).toBeLessThan(confidenceRank('medium'));
    expect(confidenceRank('medium')).toBeLessThan(confidenceRank('high'));
  });

  it('meets a minimum of its own level or lower, and no higher one', () => {
    const table = CONFIDENCES.map((have) => CONFIDENCES.map((min) => meetsMinConfidence(have, min)));
    // rows: the match's confidence (low, medium, high); columns: the campaign's minimum.
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('lets every match through when the campaign sets no minimum', () => {
    for (const have of CONFIDENCES) expect(meetsMinConfidence(have)).toBe(true);
    for (const have of CONFIDENCES) expect(meetsMinConfidence(have, undefined)).toBe(true);
  });

  it('never lets through a confidence it does not know', () => {
    for (const min of CONFIDENCES) expect(meetsMinConfidence('certain' as Confidence, min)).toBe(false);
    expect(meetsMinConfidence('' as Confidence)).toBe(false);
    expect(confidenceRank('certain' as Confidence)).toBe(-1);
  });

  it('meets a minimum exactly when its rank is at least the minimum’s, and raising the minimum never admits more', () => {
    fc.assert(
      fc.property(confidence, confidence, confidence, (have, min, higher) => {
        expect(meetsMinConfidence(have, min)).toBe(confidenceRank(have) >= confidenceRank(min));
        if (confidenceRank(higher) >= confidenceRank(min) && meetsMinConfidence(have, higher))
          expect(meetsMinConfidence(have, min)).toBe(true);
      }),
    );
  });
});
