import type { Principal } from '../auth/principal.js';
import { canUseStore } from '../auth/principal.js';
import type { ShopperProfile } from '../domain/targeting/index.js';
import { forbidden, notFound, unprocessable } from '../platform/errors.js';
import { IdSchema } from '../domain/values/id.js';
import { nowIso } from '../store/db.js';
import { listLiveOffers, type StoredOffer } from '../store/offers.js';
import { eraseShopper, exportShopperItems, getProfile, putProfile } from '../store/shoppers.js';
import { publicOffer } from '../store/offers.js';

function checkShopperId(id: string): string {
  if (!IdSchema.safeParse(id).success)
    throw unprocessable([{ path: 'shopperId', message: 'Use 1-128 letters, digits, _ . : -' }]);
  return id;
}

export async function putShopper(p: Principal, shopperId: string, profile: ShopperProfile) {
  checkShopperId(shopperId);
  const stored = { ...profile, shopperId, updatedAt: nowIso() };
  await putProfile(p.tenantId, shopperId, stored);
  return stored;
}

export async function getShopper(p: Principal, shopperId: string) {
  checkShopperId(shopperId);
  const profile = await getProfile<Record<string, unknown>>(p.tenantId, shopperId);
  if (!profile) throw notFound('Shopper');
  return profile;
}

/** Export and erasure cover everything about a shopper, across stores: tenant-wide keys only. */
function tenantWide(p: Principal, what: string) {
  if (p.storeIds.length) throw forbidden(`${what} covers every store; use a key that is not store-restricted.`);
}

/** Every item held about the shopper, grouped by kind (a bounded query of one partition). */
export async function exportShopper(p: Principal, shopperId: string) {
  checkShopperId(shopperId);
  tenantWide(p, 'Export');
  const { profile, ...items } = await exportShopperItems(p.tenantId, shopperId);
  return { shopperId, exportedAt: nowIso(), profile, ...items };
}

export async function deleteShopper(p: Principal, shopperId: string) {
  checkShopperId(shopperId);
  tenantWide(p, 'Erasure');
  await eraseShopper(p.tenantId, shopperId);
}

/** The shopper's live offers (not redeemed, not expired), newest first, paged. */
export async function listShopperOffers(p: Principal, shopperId: string, limit: number, cursor?: string) {
  checkShopperId(shopperId);
  const page = await listLiveOffers(p.tenantId, shopperId, limit, cursor);
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
