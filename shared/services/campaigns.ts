import { canUseStore, type Principal } from '../auth/principal.js';
import { campaignPatchIssues, type CampaignChanges, type CampaignSettings } from '../domain/targeting/index.js';
import { conflict, forbidden, notFound, unprocessable, type FieldError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { nowIso } from '../store/db.js';
import {
  deleteCampaignLinks,
  getCampaign,
  insertCampaign,
  listCampaignsPage,
  putCampaignLinks,
  removeCampaign,
  replaceCampaign,
  type Campaign,
} from '../store/campaigns.js';
import { getGeofencesByIds } from '../store/geofences.js';
import { getPartner } from '../store/partners.js';

export type CampaignInput = CampaignSettings;

export type { Campaign };

export const campaignView = (c: Campaign) => {
  const { version: _v, ...rest } = c;
  // A campaign stored before triggers existed fires on every location inside, as it always did.
  return { ...rest, partnerId: c.partnerId ?? null, trigger: c.trigger ?? 'inside' };
};

/**
 * The campaigns a key may see: all of them, or for a store-restricted key
 * those whose geofences all belong to its stores — decided on the fences as
 * they are now (a fence can move to another store after the campaign was saved).
 */
async function visible(p: Principal, campaigns: Campaign[]): Promise<Campaign[]> {
  if (!p.storeIds.length) return campaigns;
  const fenceIds = [...new Set(campaigns.flatMap((c) => c.geofenceIds))];
  const owner = new Map((await getGeofencesByIds(p.tenantId, fenceIds)).map((f) => [f.id, f.storeId]));
  return campaigns.filter((c) => c.geofenceIds.every((g) => canUseStore(p, owner.get(g))));
}

/** Check geofences and partner exist in the tenant and that a store-restricted key may use them. */
async function resolveRefs(p: Principal, geofenceIds: string[], partnerId: string | null | undefined) {
  const errors: FieldError[] = [];
  const [fences, partner] = await Promise.all([
    getGeofencesByIds(p.tenantId, geofenceIds),
    partnerId ? getPartner(p.tenantId, partnerId) : undefined,
  ]);
  const found = new Map(fences.map((f) => [f.id, f]));
  geofenceIds.forEach((id, i) => {
    if (!found.has(id)) errors.push({ path: `geofenceIds[${i}]`, message: 'No such geofence.' });
  });
  if (partnerId && !partner) errors.push({ path: 'partnerId', message: 'No such partner.' });
  if (errors.length) throw unprocessable(errors);
  if (p.storeIds.length && fences.some((f) => !canUseStore(p, f.storeId)))
    throw forbidden('This key is restricted to other stores: every geofence must belong to its stores.');
}

export async function createCampaign(p: Principal, input: CampaignInput) {
  await resolveRefs(p, input.geofenceIds, input.partnerId);
  const at = nowIso();
  const campaign: Campaign = {
    ...input,
    id: newId('cmp'),
    partnerId: input.partnerId ?? null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  // Links first, then the campaign: a link without its campaign leads nowhere.
  await putCampaignLinks(p.tenantId, campaign.id, campaign.geofenceIds);
  await insertCampaign(p.tenantId, campaign);
  return campaignView(campaign);
}

export async function loadCampaign(p: Principal, id: string): Promise<Campaign> {
  const c = await getCampaign(p.tenantId, id);
  if (!c) throw notFound('Campaign');
  if (!(await visible(p, [c])).length) throw forbidden('This key is restricted to other stores.');
  return c;
}

export async function listCampaigns(p: Principal, limit: number, cursor?: string) {
  const page = await listCampaignsPage(p.tenantId, limit, cursor);
  return { items: (await visible(p, page.items)).map(campaignView), nextCursor: page.nextCursor };
}

export async function updateCampaign(p: Principal, id: string, patch: CampaignChanges) {
  const current = await loadCampaign(p, id);
  const issues = campaignPatchIssues(current, patch);
  if (issues.length) throw unprocessable(issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
  const merged = { ...current } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || k === 'kind') continue;
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  // Away from dwell, the threshold goes with it (campaignPatchIssues allowed it only so).
  if (patch.trigger && patch.trigger !== 'dwell') delete merged.dwellMinutes;
  const next = merged as unknown as Campaign;
  next.partnerId = (merged.partnerId as string | undefined) ?? null;
  await resolveRefs(p, next.geofenceIds, next.partnerId);
  Object.assign(next, { updatedAt: nowIso(), version: current.version + 1 });
  const added = next.geofenceIds.filter((g) => !current.geofenceIds.includes(g));
  const removed = current.geofenceIds.filter((g) => !next.geofenceIds.includes(g));
  if (added.length) await putCampaignLinks(p.tenantId, id, added);
  if (!(await replaceCampaign(p.tenantId, next, current.version))) {
    // Lost a race: take back the links this attempt added that the winner does not use.
    const winner = await getCampaign(p.tenantId, id);
    const unused = added.filter((g) => !winner?.geofenceIds.includes(g));
    if (unused.length) await deleteCampaignLinks(p.tenantId, id, unused);
    throw conflict('concurrent-change', 'The campaign changed meanwhile; read it again and retry.');
  }
  if (removed.length) await deleteCampaignLinks(p.tenantId, id, removed);
  return campaignView(next);
}

export async function deleteCampaign(p: Principal, id: string) {
  await loadCampaign(p, id);
  const deleted = await removeCampaign(p.tenantId, id);
  if (!deleted) throw notFound('Campaign');
  await deleteCampaignLinks(p.tenantId, id, deleted.geofenceIds);
}
