import type { Principal } from '../auth/principal.js';
import { canUseStore } from '../auth/principal.js';
import type { ShopperProfile } from '../domain/targeting/index.js';
import { forbidden, notFound, unprocessable } from '../platform/errors.js';
import { IdSchema } from '../domain/values/id.js';
import { nowIso } from '../store/db.js';
import { listLiveOffers, type StoredOffer } from '../store/offers.js';
import { eraseShopper, exportShopperItems, getProfile, putProfile } from '../store/shoppers.js';
import { publicOffer } from '../store/offers.js';
import { auditItem, recordAudit } from './audit.js';
import { currentRetention } from './settings.js';

function checkShopperId(id: string): string {
  if (!IdSchema.safeParse(id).success)
    throw unprocessable([{ path: 'shopperId', message: 'Use 1-128 letters, digits, _ . : -' }]);
  return id;
}

/**
 * A shopper's profile, consent, export and erasure belong to the whole tenant (a shopper visits every store),
 * so a key restricted to some stores may not read or change them: 403, whatever the shopper (regression:
 * "store-restricted keys", a key limited to one store rewrote any shopper's profile and consent). What a
 * store-restricted key may see about a shopper is its own stores' offers (listShopperOffers).
 */
function tenantWide(p: Principal, what: string) {
  if (p.storeIds.length)
    throw forbidden(
      `${what} covers the whole tenant, and this key is restricted to some stores; use a key without storeIds (e.g. the tenant's server).`,
    );
}

export async function putShopper(p: Principal, shopperId: string, profile: ShopperProfile) {
  checkShopperId(shopperId);
  tenantWide(p, 'A shopper profile (with its consent)');
  const stored = { ...profile, shopperId, updatedAt: nowIso() };
  // One write: the profile and its audit entry in one transaction.
  await putProfile(p.tenantId, shopperId, stored, [auditItem(p, 'shopper.write', shopperId)]);
  return stored;
}

export async function getShopper(p: Principal, shopperId: string, nowMs = Date.now()) {
  checkShopperId(shopperId);
  tenantWide(p, 'A shopper profile');
  const profile = await getProfile<Record<string, unknown>>(p.tenantId, shopperId, currentRetention(p.tenantId), nowMs);
  if (!profile) throw notFound('Shopper');
  // A read writes nothing to join: its audit entry is written right after it (a 404 is not recorded).
  await recordAudit(p, 'shopper.read', shopperId);
  return profile;
}

/** Every item held about the shopper (within the tenant's retention), grouped by kind (a bounded query of one partition). */
export async function exportShopper(p: Principal, shopperId: string, nowMs = Date.now()) {
  checkShopperId(shopperId);
  tenantWide(p, "A shopper's export");
  const { profile, ...items } = await exportShopperItems(p.tenantId, shopperId, currentRetention(p.tenantId), nowMs);
  // A read: its audit entry is written right after it.
  await recordAudit(p, 'shopper.export', shopperId);
  return { shopperId, exportedAt: new Date(nowMs).toISOString(), profile, ...items };
}

export async function deleteShopper(p: Principal, shopperId: string) {
  checkShopperId(shopperId);
  tenantWide(p, "A shopper's erasure");
  await eraseShopper(p.tenantId, shopperId);
  // Erasure is many batch writes, not one: its audit entry is written right after it completed (not when it threw).
  await recordAudit(p, 'shopper.erase', shopperId);
}

/**
 * The shopper's live offers (not redeemed, not expired), newest first, paged. A store-restricted key (a till)
 * sees only the offers at its own stores, so it can redeem them; never the shopper's profile.
 */
export async function listShopperOffers(p: Principal, shopperId: string, limit: number, cursor?: string, nowMs = Date.now()) {
  checkShopperId(shopperId);
  const page = await listLiveOffers(p.tenantId, shopperId, limit, cursor, await currentRetention(p.tenantId), nowMs);
  return { items: page.items.filter((o) => canUseStore(p, o.storeId)).map(offerView), nextCursor: page.nextCursor };
}

export const offerView = (o: StoredOffer) => ({
  ...publicOffer(o),
  shopperId: o.shopperId,
  status: o.status,
  createdAt: o.createdAt,
  ...(o.redeemedAt ? { redeemedAt: o.redeemedAt } : {}),
  deliveryStatus: o.deliveryStatus,
  deliveryAttempts: o.deliveryAttempts,
});
