import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETENTION,
  isRetained,
  isShortened,
  RETAINED_KINDS,
  RETENTION_LIMITS,
  retainedUntilS,
  retentionShortfallS,
  withDefaults,
} from '../../../../shared/domain/values/retention.js';

const DAY = 86_400;
const written = 1_800_000_000; // the epoch second of a write

describe('retention', () => {
  it('has the bounds and defaults of the contract', () => {
    expect(RETENTION_LIMITS).toEqual({
      profileDays: { min: 30, max: 730, default: 730 },
      offersDays: { min: 1, max: 90, default: 30 },
      visitsDays: { min: 1, max: 30, default: 7 },
      locationDays: { min: 1, max: 30, default: 30 },
    });
    expect(DEFAULT_RETENTION).toEqual({ profileDays: 730, offersDays: 30, visitsDays: 7, locationDays: 30 });
  });

  it('keeps an item until its TTL at the defaults, for every kind counted from its write', () => {
    for (const [kind, rule] of Object.entries(RETAINED_KINDS)) {
      if (rule.from !== 'write') continue;
      const ttl = written + rule.writtenDays * DAY;
      expect(retainedUntilS(kind as keyof typeof RETAINED_KINDS, { expiresS: ttl }), kind).toBe(ttl);
    }
  });

  it('counts a shortened knob from the write: the TTL minus the days written with, plus the tenant days', () => {
    const profile = { expiresS: written + 730 * DAY };
    const r = withDefaults({ profileDays: 30 });
    expect(retainedUntilS('profile', profile, r)).toBe(written + 30 * DAY);
    expect(isRetained('profile', profile, r, (written + 30 * DAY - 1) * 1000)).toBe(true);
    expect(isRetained('profile', profile, r, (written + 30 * DAY) * 1000)).toBe(false);
    expect(isRetained('profile', profile, r, (written + 30 * DAY + 1) * 1000)).toBe(false);
    // Conversions and markers (400 days) follow profileDays: 30 days hides them too; 500 does not lengthen them.
    expect(retainedUntilS('conversion', { expiresS: written + 400 * DAY }, r)).toBe(written + 30 * DAY);
    expect(retainedUntilS('statsMarker', { expiresS: written + 400 * DAY }, withDefaults({ profileDays: 500 }))).toBe(
      written + 400 * DAY,
    );
  });

  it('counts an offer from when it was made, not from its TTL (30 days after it expires)', () => {
    const createdAt = new Date(written * 1000).toISOString();
    const offer = { createdAt, expiresS: written + 3 * DAY + 30 * DAY }; // valid 3 days
    expect(retainedUntilS('offer', offer)).toBe(written + 30 * DAY);
    expect(retainedUntilS('offer', offer, withDefaults({ offersDays: 1 }))).toBe(written + DAY);
    expect(isRetained('offer', offer, withDefaults({ offersDays: 1 }), (written + 2 * DAY) * 1000)).toBe(false);
    // A TTL earlier than the tenant's days still ends it.
    expect(retainedUntilS('offer', { createdAt, expiresS: written + 10 }, withDefaults({ offersDays: 90 }))).toBe(written + 10);
  });

  it('shortens eligibility to offersDays, visits and events to visitsDays, the location to locationDays', () => {
    const r = withDefaults({ offersDays: 2, visitsDays: 1, locationDays: 3 });
    expect(retainedUntilS('eligibility', { expiresS: written + 8 * DAY }, r)).toBe(written + 2 * DAY);
    expect(retainedUntilS('eligibility', { expiresS: written + 8 * DAY }, withDefaults({ offersDays: 20 }))).toBe(
      written + 8 * DAY,
    );
    expect(retainedUntilS('visits', { expiresS: written + 7 * DAY }, r)).toBe(written + DAY);
    expect(retainedUntilS('visitEvent', { expiresS: written + 7 * DAY }, r)).toBe(written + DAY);
    expect(retainedUntilS('location', { expiresS: written + 30 * DAY }, r)).toBe(written + 3 * DAY);
  });

  it('keeps an item without a TTL (or an offer without createdAt) on its other bound only', () => {
    expect(retainedUntilS('profile', {})).toBeUndefined();
    expect(isRetained('profile', {}, withDefaults({ profileDays: 30 }), Date.now())).toBe(true);
    expect(retainedUntilS('offer', { expiresS: written })).toBe(written);
    expect(retainedUntilS('offer', { createdAt: 'not a date', expiresS: written })).toBe(written);
  });

  it('says how much earlier a marker stops being kept, and which settings shorten anything', () => {
    expect(retentionShortfallS('statsMarker')).toBe(0);
    expect(retentionShortfallS('statsMarker', withDefaults({ profileDays: 100 }))).toBe(300 * DAY);
    expect(retentionShortfallS('visits', withDefaults({ visitsDays: 2 }))).toBe(5 * DAY);
    expect(isShortened(DEFAULT_RETENTION)).toBe(false);
    expect(isShortened(withDefaults({ locationDays: 29 }))).toBe(true);
    expect(withDefaults(undefined)).toEqual(DEFAULT_RETENTION);
  });
});
