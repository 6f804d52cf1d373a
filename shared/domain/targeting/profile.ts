import { PROFILE_FIELD_NAMES } from './fields.js';
import type { Consent, InlineProfile, Profile, ShopperProfile } from './profile-schema.js';

/**
 * Who sent an inline profile: the tenant's `server` (a secret key), trusted
 * with audience data, or the `device` (a publishable key: it ships inside the
 * app, so anyone can extract it and send anything with it).
 */
export type InlineSource = 'server' | 'device';

/** Most `deviceAttributes` a publishable key may list. */
export const DEVICE_ATTRIBUTES_MAX = 20;

/**
 * What a device may send inline, as `errors[]` entries (`{path, message}`,
 * paths under `root`): one for every field other than `consent` and for every
 * `attributes.<name>` the key does not list in its `deviceAttributes`. Empty:
 * the profile is acceptable. Audience data (tier, relationship, first name…)
 * comes from the tenant's server, never from the app.
 */
export function deviceProfileErrors(
  inline: InlineProfile,
  deviceAttributes: readonly string[],
  root = 'profile',
): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  for (const field of Object.keys(inline)) {
    if (field === 'consent') continue;
    if (field === 'attributes') {
      for (const name of Object.keys(inline.attributes ?? {}))
        if (!deviceAttributes.includes(name))
          errors.push({
            path: `${root}.attributes.${name}`,
            message:
              "Not one of this publishable key's deviceAttributes: audience data comes from the tenant's server (PUT /v1/shoppers/{shopperId}).",
          });
      continue;
    }
    errors.push({
      path: `${root}.${field}`,
      message:
        "A publishable key may send only consent (to withdraw it) and the key's deviceAttributes: audience data comes from the tenant's server (PUT /v1/shoppers/{shopperId}).",
    });
  }
  return errors;
}

/**
 * Combines the stored profile with the `profile` sent in an offer request,
 * for that request only (the offer path never stores the result).
 *
 * From the tenant's `server` (secret keys):
 * - Fields: a field sent inline replaces the stored one; fields not sent
 *   keep their stored value. Lists such as `needs` are replaced, not joined.
 *   `attributes` are merged key by key, inline keys winning.
 * - Consent, with a stored profile: the stored profile is the source of
 *   truth; each inline consent flag can only withdraw (`stored && inline`),
 *   never grant.
 * - Consent, without a stored profile: the inline consent is used as sent
 *   (the server speaks for the tenant).
 *
 * From the `device` (publishable keys; `deviceProfileErrors` has refused
 * every other field before):
 * - Fields are the stored ones only; any other inline field is ignored.
 * - `attributes` sent inline (the key's deviceAttributes) are merged over the
 *   stored ones, key by key.
 * - Consent comes from the stored profile only; inline consent can withdraw
 *   it, never grant it. Without a stored profile there is no consent, so a
 *   forged request for an invented shopper id gets nothing and stores nothing
 *   (regression: "budget drain", invented ids with inline consent spent a
 *   campaign's budget).
 *
 * Without any consent the result has both flags false, so no offer is made.
 */
export function mergeProfile(
  stored: ShopperProfile | undefined | null,
  inline: InlineProfile | undefined | null,
  from: InlineSource = 'server',
): Profile {
  const fromServer = from === 'server';
  const merged: Record<string, unknown> = {};
  for (const field of PROFILE_FIELD_NAMES) {
    const value = fromServer && inline?.[field] !== undefined ? inline[field] : stored?.[field];
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
  } else if (fromServer && inline?.consent) {
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
