import { cachedMany, cachedValue, TtlCache } from '../platform/ttl-cache.js';
import { allCampaignLinks, getCampaignsByIds } from '../store/campaigns.js';
import { allPartnerNames } from '../store/partners.js';
import { getTenantSettings } from '../store/settings.js';
import type { Retention } from '../domain/values/retention.js';
import { getStoresByIds, type Store } from '../store/stores.js';
import type { Campaign } from './campaigns.js';

/**
 * The tenant configuration the offer path reads (the tenant's fence →
 * campaign links and partner names, whole; campaigns and stores, by id;
 * the tenant's retention settings),
 * kept in the container for at most
 * CONFIG_CACHE_TTL_S seconds: a campaign paused, edited or linked to a fence
 * takes effect on every container within that time. Budgets, frequency caps,
 * profiles and the spatial index are never cached: they stay exact.
 * CONFIG_CACHE_TTL_S (environment) sets the bound; 0 turns the cache off.
 */
export const DEFAULT_CONFIG_CACHE_TTL_S = 30;
const MAX_ENTRIES = 50_000;

function ttlFromEnv(): number {
  const raw = process.env.CONFIG_CACHE_TTL_S;
  const n = raw === undefined || raw === '' ? DEFAULT_CONFIG_CACHE_TTL_S : Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > DEFAULT_CONFIG_CACHE_TTL_S)
    throw new Error(`CONFIG_CACHE_TTL_S must be a number of seconds from 0 to ${DEFAULT_CONFIG_CACHE_TTL_S}`);
  return n;
}

let ttlS = ttlFromEnv();
/** The bound in force, in seconds. */
export const configCacheTtlS = () => ttlS;
/** Tests: set the bound (and empty the cache). */
export function setConfigCacheTtlS(seconds: number): void {
  ttlS = seconds;
  cache.clear();
}

type Entry = Map<string, string[]> | Map<string, string> | Campaign | Store | Retention | undefined;
const cache = new TtlCache<Entry>(() => ttlS * 1000, MAX_ENTRIES);
const inflight = new Map<string, Promise<Entry>>();

/**
 * Every fence → campaign ids link of the tenant (cached whole): one round of
 * parallel Queries when cold, so the offer path can read it beside the
 * spatial lookup instead of after it.
 */
export function tenantLinks(tenantId: string, nowMs: number): Promise<Map<string, string[]>> {
  return cachedValue(cache, `${tenantId}|L`, nowMs, inflight, () => allCampaignLinks(tenantId)) as Promise<Map<string, string[]>>;
}

/** Every partner's name by id (cached whole; read beside the spatial lookup when cold). */
export function tenantPartnerNames(tenantId: string, nowMs: number): Promise<Map<string, string>> {
  return cachedValue(cache, `${tenantId}|P`, nowMs, inflight, () => allPartnerNames(tenantId)) as Promise<Map<string, string>>;
}

/**
 * The tenant's retention (GET|PATCH /v1/settings), for the paths that read a shopper's items many times a second
 * (offers, redemption, conversions, the outbox): a shortened setting applies there within CONFIG_CACHE_TTL_S; the console's and
 * integrators' reads (profile, offers list, export) read it fresh.
 */
export function tenantRetention(tenantId: string, nowMs: number): Promise<Retention> {
  const read = cachedValue(cache, `${tenantId}|R`, nowMs, inflight, async () => (await getTenantSettings(tenantId)).retention);
  // Callers start it beside another read and await it after: a failure is theirs when they await, never unhandled.
  read.catch(() => undefined);
  return read as Promise<Retention>;
}

/** Forget the cached retention of a tenant (its settings changed in this container). */
export const forgetTenantRetention = (tenantId: string) => cache.delete(`${tenantId}|R`);

export function campaignsByIds(tenantId: string, ids: string[], nowMs: number): Promise<Map<string, Campaign>> {
  return cachedMany(cache as TtlCache<Campaign | undefined>, `${tenantId}|C|`, ids, nowMs, async (missing) => {
    const found = await getCampaignsByIds<Campaign>(tenantId, missing);
    return new Map(found.map((c) => [c.id, c]));
  });
}

export function storesByIds(tenantId: string, ids: string[], nowMs: number): Promise<Map<string, Store>> {
  return cachedMany(cache as TtlCache<Store | undefined>, `${tenantId}|S|`, ids, nowMs, async (missing) => {
    const found = await getStoresByIds(tenantId, missing);
    return new Map(found.map((s) => [s.id, s]));
  });
}
