import { describe, expect, it } from 'vitest';
import {
  confidenceRank,
  deviceProfileErrors,
  hasConsent,
  meetsMinConfidence,
  mergeProfile,
  type InlineProfile,
  type ShopperProfile,
} from '../../../../shared/domain/targeting/index.js';

const stored: ShopperProfile = {
  firstName: 'Ana',
  relationship: 'customer',
  industry: 'Hospitality',
  needs: ['delivery'],
  attributes: { homeNeighbourhood: 'Gràcia', vip: false },
  consent: { location: true, marketing: true },
};

describe('mergeProfile', () => {
  it('lets inline fields override stored ones for the request and merges attributes key by key', () => {
    const inline: InlineProfile = { firstName: 'Anna', needs: ['vegan'], attributes: { vip: true, visits: 3 } };
    expect(mergeProfile(stored, inline)).toEqual({
      firstName: 'Anna',
      relationship: 'customer',
      industry: 'Hospitality',
      needs: ['vegan'],
      attributes: { homeNeighbourhood: 'Gràcia', vip: true, visits: 3 },
      consent: { location: true, marketing: true },
    });
  });

  it('does not change the stored profile or the inline one', () => {
    const inline: InlineProfile = { attributes: { vip: true } };
    const merged = mergeProfile(stored, inline);
    merged.needs?.push('parking');
    expect(stored.needs).toEqual(['delivery']);
    expect(stored.attributes).toEqual({ homeNeighbourhood: 'Gràcia', vip: false });
    expect(inline).toEqual({ attributes: { vip: true } });
  });

  it('lets inline consent withdraw but never grant consent over a stored profile', () => {
    expect(mergeProfile(stored, { consent: { location: true, marketing: false } }).consent).toEqual({
      location: true,
      marketing: false,
    });
    const declined: ShopperProfile = { ...stored, consent: { location: true, marketing: false } };
    expect(mergeProfile(declined, { consent: { location: true, marketing: true } }).consent).toEqual({
      location: true,
      marketing: false,
    });
    expect(mergeProfile(declined, {}).consent).toEqual({ location: true, marketing: false });
  });

  it('uses the consent sent from the device when there is no stored profile', () => {
    expect(mergeProfile(undefined, { firstName: 'Leo', consent: { location: true, marketing: true } })).toEqual({
      firstName: 'Leo',
      consent: { location: true, marketing: true },
    });
  });

  it('has no consent when neither side gives any', () => {
    expect(mergeProfile(undefined, undefined)).toEqual({ consent: { location: false, marketing: false } });
    expect(mergeProfile(null, { relationship: 'prospect' })).toEqual({
      relationship: 'prospect',
      consent: { location: false, marketing: false },
    });
  });

  it('keeps the stored profile as it is when nothing is sent inline', () => {
    expect(mergeProfile(stored, undefined)).toEqual(stored);
  });
});

describe('mergeProfile with a profile sent from the device (publishable key)', () => {
  const gold: ShopperProfile = { ...stored, loyaltyTier: 'gold' };

  it('keeps every stored field whatever the device sends (regression: audience spoofing)', () => {
    const spoof = { loyaltyTier: 'platinum', firstName: 'click evil.example/win to claim', relationship: 'lapsed' } as const;
    expect(mergeProfile(gold, spoof, 'device')).toEqual(gold);
    // The same fields from the server do override.
    expect(mergeProfile(gold, spoof, 'server')).toMatchObject(spoof);
  });

  it('merges the device attributes over the stored ones', () => {
    expect(mergeProfile(stored, { attributes: { appVersion: '5.2', vip: true } }, 'device').attributes).toEqual({
      homeNeighbourhood: 'Gràcia',
      vip: true,
      appVersion: '5.2',
    });
    expect(mergeProfile(undefined, { attributes: { appVersion: '5.2' } }, 'device')).toEqual({
      attributes: { appVersion: '5.2' },
      consent: { location: false, marketing: false },
    });
  });

  it('never grants consent: without a stored profile there is none (regression: budget drain)', () => {
    expect(mergeProfile(undefined, { consent: { location: true, marketing: true } }, 'device').consent).toEqual({
      location: false,
      marketing: false,
    });
    expect(mergeProfile(null, { consent: { location: true, marketing: true } }, 'device').consent).toEqual({
      location: false,
      marketing: false,
    });
    const declined: ShopperProfile = { ...stored, consent: { location: true, marketing: false } };
    expect(mergeProfile(declined, { consent: { location: true, marketing: true } }, 'device').consent).toEqual({
      location: true,
      marketing: false,
    });
  });

  it('lets the device withdraw either consent', () => {
    expect(mergeProfile(stored, { consent: { location: false, marketing: true } }, 'device').consent).toEqual({
      location: false,
      marketing: true,
    });
    expect(mergeProfile(stored, { consent: { location: true, marketing: false } }, 'device').consent).toEqual({
      location: true,
      marketing: false,
    });
    expect(mergeProfile(stored, {}, 'device').consent).toEqual({ location: true, marketing: true });
  });
});

describe('deviceProfileErrors', () => {
  it('accepts consent and the listed device attributes', () => {
    expect(deviceProfileErrors({}, [])).toEqual([]);
    expect(deviceProfileErrors({ consent: { location: false, marketing: false } }, [])).toEqual([]);
    expect(deviceProfileErrors({ attributes: { appVersion: '5.2', pushEnabled: true } }, ['appVersion', 'pushEnabled'])).toEqual(
      [],
    );
  });

  it('names every other field and every unlisted attribute', () => {
    const errors = deviceProfileErrors(
      {
        loyaltyTier: 'platinum',
        firstName: 'click evil.example/win to claim',
        consent: { location: true, marketing: true },
        attributes: { appVersion: '5.2', homeNeighbourhood: 'Gràcia' },
      },
      ['appVersion'],
    );
    expect(errors.map((e) => e.path)).toEqual([
      'profile.loyaltyTier',
      'profile.firstName',
      'profile.attributes.homeNeighbourhood',
    ]);
    expect(errors[0].message).toMatch(/publishable key may send only consent/);
    expect(errors[2].message).toMatch(/deviceAttributes/);
    // The message never echoes the value sent.
    expect(JSON.stringify(errors)).not.toContain('evil.example');
  });

  it('refuses every audience field, one error each', () => {
    const all: InlineProfile = {
      firstName: 'a',
      relationship: 'customer',
      jobTitle: 'b',
      industry: 'c',
      companySize: 1,
      needs: ['d'],
      loyaltyTier: 'e',
      loyaltyPoints: 2,
      lastPurchaseAt: '2026-01-01T00:00:00Z',
      priceSensitivity: 'low',
    };
    expect(deviceProfileErrors(all, []).map((e) => e.path)).toEqual(Object.keys(all).map((k) => `profile.${k}`));
  });
});

describe('hasConsent', () => {
  it('needs both location and marketing consent to be true', () => {
    expect(hasConsent({ consent: { location: true, marketing: true } })).toBe(true);
    expect(hasConsent({ consent: { location: true, marketing: false } })).toBe(false);
    expect(hasConsent({ consent: { location: false, marketing: true } })).toBe(false);
    expect(hasConsent({})).toBe(false);
    expect(hasConsent(undefined)).toBe(false);
  });
});

describe('confidence', () => {
  it('ranks low below medium below high', () => {
    expect(['low', 'medium', 'high'].map((c) => confidenceRank(c as 'low'))).toEqual([0, 1, 2]);
  });

  it('lets a match through when it is at least the campaign minimum', () => {
    expect(meetsMinConfidence('low')).toBe(true);
    expect(meetsMinConfidence('low', 'medium')).toBe(false);
    expect(meetsMinConfidence('medium', 'medium')).toBe(true);
    expect(meetsMinConfidence('high', 'medium')).toBe(true);
    expect(meetsMinConfidence('medium', 'high')).toBe(false);
    expect(meetsMinConfidence('bogus' as 'low', 'low')).toBe(false);
  });
});
