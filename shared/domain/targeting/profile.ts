import { PROFILE_FIELD_NAMES } from './fields.js';
import type { Consent, InlineProfile, Profile, ShopperProfile } from './profile-schema.js';

/**
 * Combines the stored profile with the `profile` sent in an offer request,
 * for that request only (the offer path never stores the result).
 *
 * - Fields: a field sent inline replaces the stored one; fields not sent
 *   keep their stored value. Lists such as `needs` are replaced, not joined.
 *   `attributes` are merged key by key, inline keys winning.
 * - Consent, with a stored profile: the stored profile is the source of
 *   truth. Each inline consent flag can only withdraw (`stored && inline`),
 *   never grant, because the publishable key that sends it ships inside the
 *   app and anyone can extract it; a shopper who declined consent through the
 *   server side cannot be targeted by a forged request.
 * - Consent, without a stored profile: the inline consent is used as sent.
 *   The device is then the only place the shopper was asked, and a forged
 *   request can only target an identifier nobody has a stored profile for
 *   (it learns nothing about a real shopper). Without any consent the
 *   result has both flags false, so no offer is made.
 */
export function mergeProfile(stored: ShopperProfile | undefined | null, inline: InlineProfile | undefined | null): Profile {
  const merged: Record<string, unknown> = {};
  for (const field of PROFILE_FIELD_NAMES) {
    const value = inline?.[field] !== undefined ? inline[field] : stored?.[field];
    if (value !== undefined) merged[field] = Array.isArray(value) ? [...value] : value;
  }
  if (stored?.attributes !== undefined || inline?.attributes !== undefined) {
    merged.attributes = { ...(stored?.attributes ?? {}), ...(inline?.attributes ?? {}) };
  }
  let consent: Consent;
  if (stored) {
    consent = {
      location: stored.consent?.location === true && inline?.consent?.location !== false,
      marketing: stored.consent?.marketing === true && inline?.consent?.marketing !== false,
    };
  } else if (inline?.consent) {
    consent = { location: inline.consent.location === true, marketing: inline.consent.marketing === true };
  } else {
    consent = { location: false, marketing: false };
  }
  return { ...(merged as Omit<Profile, 'consent'>), consent };
}

/**
 * Whether the shopper may be sent offers: both location and marketing
 * consent are explicitly true. Anything else (missing profile or consent,
 * a flag false or absent) is no consent.
 */
export function hasConsent(profile: { consent?: Partial<Consent> | null } | undefined | null): boolean {
  return profile?.consent?.location === true && profile.consent.marketing === true;
}
