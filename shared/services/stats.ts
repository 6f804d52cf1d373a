import type { Principal } from '../auth/principal.js';
import { computeLift, suppressSmall, SUPPRESSION_K } from '../domain/targeting/index.js';
import { budgetUsed } from '../store/budget.js';
import { readCampaignStats, type CounterRow } from '../store/counters.js';
import { loadCampaign } from './campaigns.js';

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * GET /v1/campaigns/{id}/stats. Totals come from the campaign's counters
 * (exposures are added by the table's stream within about a second of the
 * offer, see services/outbox.ts) and the budget from its shards;
 * conversions are distinct converting shoppers per side and lift compares
 * their rates. Breakdown rows behind fewer than k = 10 distinct shoppers are
 * suppressed (counts null, suppressed: true).
 */
export async function campaignStats(p: Principal, campaignId: string) {
  const campaign = await loadCampaign(p, campaignId);
  const [{ totals: t, byDay, byGeofence }, used] = await Promise.all([
    readCampaignStats(p.tenantId, campaignId),
    budgetUsed(p.tenantId, campaignId),
  ]);
  const { conversionRate, lift } = computeLift(
    { shoppers: n(t.treatmentShoppers), converters: n(t.treatmentConverters) },
    { shoppers: n(t.holdoutShoppers), converters: n(t.holdoutConverters) },
  );
  const rowsOf = (rows: CounterRow[]) =>
    rows
      .map((r) => ({
        key: r.key,
        shoppers: Math.max(n(r.shoppers), n(r.redeemers)),
        offered: n(r.offered),
        redeemed: n(r.redeemed),
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  const max = campaign.budget?.maxOffers;
  return {
    eligible: n(t.eligible),
    offered: n(t.offered),
    heldOut: n(t.heldOut),
    delivered: n(t.delivered),
    deliveryFailed: n(t.deliveryFailed),
    redeemed: n(t.redeemed),
    conversions: { treatment: n(t.treatmentConverters), holdout: n(t.holdoutConverters) },
    conversionRate,
    lift,
    purchases: { treatment: n(t.treatmentPurchases), holdout: n(t.holdoutPurchases) },
    revenue: { treatment: n(t.treatmentRevenue), holdout: n(t.holdoutRevenue) },
    shoppers: { treatment: n(t.treatmentShoppers), holdout: n(t.holdoutShoppers) },
    budget: max !== undefined ? { maxOffers: max, used, remaining: Math.max(0, max - used) } : null,
    byDay: suppressSmall(rowsOf(byDay), SUPPRESSION_K).map(({ key, ...r }) => ({ date: key, ...r })),
    byGeofence: suppressSmall(rowsOf(byGeofence), SUPPRESSION_K).map(({ key, ...r }) => ({ geofenceId: key, ...r })),
  };
}
