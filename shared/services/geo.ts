import { fenceBBox, bboxLowerBoundM } from '../domain/geo/bbox.js';
import {
  GeometryError,
  containsPoint,
  fenceAnchor,
  isWithinM,
  lookupCells,
  matchConfidence,
  planIndex,
  rowShape,
  validateGeometry,
  type FenceGeometry,
  type MatchConfidence,
} from '../domain/geo/index.js';
import { canUseStore, type Principal } from '../auth/principal.js';
import { DomainError, conflict, forbidden, notFound, unprocessable, type FieldError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { log } from '../platform/log.js';
import { geofenceInUse, partnerHasCampaigns } from '../store/campaigns.js';
import { nowIso } from '../store/db.js';
import type { Page } from '../store/entities.js';
import {
  deleteIndexRows,
  putGeofencesBatch,
  getGeofence,
  getGeofencesByIds,
  insertGeofence,
  listGeofencesOfOwner,
  listGeofencesPage,
  ownerHasGeofences,
  putIndexRows,
  queryCells,
  removeGeofence,
  replaceGeofence,
  type CellShape,
  type Geofence,
  type IndexRow,
} from '../store/geofences.js';
import { getPartner, insertPartner, listPartnersPage, removePartner, replacePartner, type Partner } from '../store/partners.js';
import { getStore, insertStore, listStoresPage, removeStore, replaceStore, type Store } from '../store/stores.js';

/**
 * Most matches one lookup returns (the offer path reads the campaigns of the
 * best 10 of them): only binds where more than 500 fences overlap one spot.
 */
export const MAX_MATCHES = 500;

export type { Geofence, Partner, Store };

const view = <T extends { version: number }>(e: T) => {
  const { version: _v, ...rest } = e as T & { bbox?: unknown };
  delete (rest as { bbox?: unknown }).bbox;
  return rest;
};
export const storeView = (s: Store) => view(s);
export const partnerView = (p: Partner) => view(p);
export const geofenceView = (g: Geofence) => view(g);

function isRestricted(p: Principal) {
  return p.storeIds.length > 0;
}

// ---------- stores ----------

export async function createStore(
  p: Principal,
  input: { name: string; location: Store['location']; timezone: string; address?: string },
) {
  if (isRestricted(p)) throw forbidden('A store-restricted key cannot create stores.');
  const at = nowIso();
  const store: Store = { id: newId('st'), ...input, address: input.address ?? null, createdAt: at, updatedAt: at, version: 1 };
  await insertStore(p.tenantId, store);
  return storeView(store);
}

/** A store of the caller's tenant that the key may use: 404 if absent, 403 if outside the key's stores. */
export async function loadStore(p: Principal, id: string): Promise<Store> {
  const store = await getStore(p.tenantId, id);
  if (!store) throw notFound('Store');
  if (!canUseStore(p, store.id)) throw forbidden('This key is restricted to other stores.');
  return store;
}

export async function listStores(p: Principal, limit: number, cursor?: string): Promise<Page<ReturnType<typeof storeView>>> {
  const page = await listStoresPage(p.tenantId, limit, cursor, isRestricted(p) ? p.storeIds : undefined);
  return { items: page.items.map(storeView), nextCursor: page.nextCursor };
}

export async function updateStore(
  p: Principal,
  id: string,
  patch: Partial<Omit<Store, 'address'>> & { address?: string | null },
) {
  const current = await loadStore(p, id);
  const next: Store = { ...current, ...stripUndefined(patch), updatedAt: nowIso(), version: current.version + 1 };
  if (!(await replaceStore(p.tenantId, next, current.version))) throw concurrentChange();
  return storeView(next);
}

export async function deleteStore(p: Principal, id: string) {
  await loadStore(p, id);
  if (await ownerHasGeofences(p.tenantId, id))
    throw conflict('in-use', 'Geofences still belong to this store; delete them first.');
  if (!(await removeStore(p.tenantId, id))) throw notFound('Store');
}

// ---------- partners ----------

export async function createPartner(
  p: Principal,
  input: Omit<Partner, 'id' | 'createdAt' | 'updatedAt' | 'version' | 'contactEmail'> & { contactEmail?: string },
) {
  if (isRestricted(p)) throw forbidden('Partners are tenant-wide; a store-restricted key cannot change them.');
  const at = nowIso();
  const partner: Partner = {
    id: newId('pt'),
    ...input,
    contactEmail: input.contactEmail ?? null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await insertPartner(p.tenantId, partner);
  return partnerView(partner);
}

export async function loadPartner(p: Principal, id: string): Promise<Partner> {
  const partner = await getPartner(p.tenantId, id);
  if (!partner) throw notFound('Partner');
  return partner;
}

export async function listPartners(p: Principal, limit: number, cursor?: string) {
  const page = await listPartnersPage(p.tenantId, limit, cursor);
  return { items: page.items.map(partnerView), nextCursor: page.nextCursor };
}

export async function updatePartner(p: Principal, id: string, patch: Record<string, unknown>) {
  if (isRestricted(p)) throw forbidden('Partners are tenant-wide; a store-restricted key cannot change them.');
  const current = await loadPartner(p, id);
  const next: Partner = { ...current, ...stripUndefined(patch), updatedAt: nowIso(), version: current.version + 1 };
  if (!(await replacePartner(p.tenantId, next, current.version))) throw concurrentChange();
  return partnerView(next);
}

export async function deletePartner(p: Principal, id: string) {
  if (isRestricted(p)) throw forbidden('Partners are tenant-wide; a store-restricted key cannot change them.');
  await loadPartner(p, id);
  if (await ownerHasGeofences(p.tenantId, id))
    throw conflict('in-use', 'Geofences still belong to this partner; delete them first.');
  if (await partnerHasCampaigns(p.tenantId, id)) throw conflict('in-use', 'Campaigns still use this partner.');
  if (!(await removePartner(p.tenantId, id))) throw notFound('Partner');
}

// ---------- geofences ----------

export interface GeofenceInput {
  name: string;
  storeId?: string | null;
  partnerId?: string | null;
  geometry: unknown;
  tags?: string[];
  metadata?: Record<string, string | number | boolean> | null;
  enabled?: boolean;
}

/** Validate geometry and ownership; plan the index. Throws 422/403 naming the bad field. */
async function prepareFence(p: Principal, input: GeofenceInput) {
  const errors: FieldError[] = validateGeometry(input.geometry, 'geometry');
  if (input.storeId && input.partnerId)
    errors.push({ path: 'partnerId', message: 'A geofence belongs to a store or to a partner, not both.' });
  if (isRestricted(p)) {
    if (!input.storeId) throw forbidden('A store-restricted key can only manage geofences of its stores (set storeId).');
    if (!canUseStore(p, input.storeId)) throw forbidden('This key is restricted to other stores.');
  }
  const [store, partner] = await Promise.all([
    input.storeId ? getStore(p.tenantId, input.storeId) : undefined,
    input.partnerId ? getPartner(p.tenantId, input.partnerId) : undefined,
  ]);
  if (input.storeId && !store) errors.push({ path: 'storeId', message: 'No such store.' });
  if (input.partnerId && !partner) errors.push({ path: 'partnerId', message: 'No such partner.' });
  if (errors.length) throw unprocessable(errors);
  const geometry = input.geometry as FenceGeometry;
  let index: { resolution: number; cells: string[] };
  try {
    index = planIndex(geometry);
  } catch (err) {
    if (err instanceof GeometryError) throw unprocessable(err.issues);
    throw err;
  }
  return { geometry, index, bbox: fenceBBox(geometry), ...rowsOf(geometry, index.cells) };
}

/** What each cell's index row carries (cells no point of which can match get no row), and the fence's anchor. */
function rowsOf(geometry: FenceGeometry, cells: string[]): { shapes: CellShape[]; anchor: { lat: number; lng: number } } {
  const shapes: CellShape[] = [];
  for (const cell of cells) {
    const shape = rowShape(geometry, cell);
    if (shape.kind !== 'none') shapes.push({ cell, shape });
  }
  return { shapes, anchor: fenceAnchor(geometry) };
}

export async function createGeofence(p: Principal, input: GeofenceInput) {
  const { fence, anchor, shapes } = newFence(input, await prepareFence(p, input));
  // Index rows first, then the fence: until the fence exists, its rows lead nowhere.
  await putIndexRows(p.tenantId, { ...fence, anchor }, shapes);
  await insertGeofence(p.tenantId, fence);
  return geofenceView(fence);
}

/**
 * Create many geofences in one go (imports, seeding): each is validated and
 * planned as one POST would be (a bad one fails the call with 422 before
 * anything is written, its path prefixed with its position), then every
 * index row and every fence is written in BatchWriteItem calls.
 */
export async function seedGeofences(p: Principal, inputs: GeofenceInput[]): Promise<string[]> {
  const prepared = await Promise.all(
    inputs.map(async (input, i) => {
      try {
        return newFence(input, await prepareFence(p, input));
      } catch (err) {
        if (err instanceof DomainError && err.kind === 'validation')
          throw unprocessable((err.errors ?? []).map((f) => ({ ...f, path: `[${i}].${f.path}` })));
        throw err;
      }
    }),
  );
  await putGeofencesBatch(
    p.tenantId,
    prepared.map(({ fence, anchor, shapes }) => ({ fence, anchor, cells: shapes })),
  );
  return prepared.map((x) => x.fence.id);
}

function newFence(input: GeofenceInput, prep: Awaited<ReturnType<typeof prepareFence>>) {
  const { geometry, index, bbox, shapes, anchor } = prep;
  const at = nowIso();
  const fence: Geofence = {
    id: newId('gf'),
    name: input.name,
    storeId: input.storeId ?? null,
    partnerId: input.partnerId ?? null,
    geometry,
    tags: [...new Set(input.tags ?? [])],
    metadata: input.metadata ?? {},
    enabled: input.enabled ?? true,
    index,
    bbox,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  return { fence, anchor, shapes };
}

/** A geofence the key may see: 404 when absent (or another tenant's), 403 outside the key's stores. */
export async function loadGeofence(p: Principal, id: string): Promise<Geofence> {
  const fence = await getGeofence(p.tenantId, id);
  if (!fence) throw notFound('Geofence');
  if (isRestricted(p) && !canUseStore(p, fence.storeId)) throw forbidden('This key is restricted to other stores.');
  return fence;
}

export async function listGeofences(p: Principal, q: { limit: number; cursor?: string; storeId?: string; tag?: string }) {
  if (q.storeId) {
    if (!canUseStore(p, q.storeId)) throw forbidden('This key is restricted to other stores.');
    const page = await listGeofencesOfOwner(p.tenantId, q.storeId, q.limit, q.cursor, q.tag);
    return { items: page.items.map(geofenceView), nextCursor: page.nextCursor };
  }
  const page = await listGeofencesPage(p.tenantId, q.limit, q.cursor, {
    storeIds: isRestricted(p) ? p.storeIds : undefined,
    tag: q.tag,
  });
  return { items: page.items.map(geofenceView), nextCursor: page.nextCursor };
}

/** Replace (PUT) or merge (PATCH) a geofence, keeping the cell index consistent. */
export async function updateGeofence(p: Principal, id: string, input: Partial<GeofenceInput>, mode: 'replace' | 'merge') {
  const current = await loadGeofence(p, id);
  const merged: GeofenceInput =
    mode === 'replace'
      ? (input as GeofenceInput)
      : {
          name: input.name ?? current.name,
          storeId: input.storeId === undefined ? current.storeId : input.storeId,
          partnerId: input.partnerId === undefined ? current.partnerId : input.partnerId,
          geometry: input.geometry ?? current.geometry,
          tags: input.tags ?? current.tags,
          metadata: input.metadata === undefined ? current.metadata : input.metadata,
          enabled: input.enabled ?? current.enabled,
        };
  const { geometry, index, bbox, shapes, anchor } = await prepareFence(p, merged);
  const next: Geofence = {
    ...current,
    name: merged.name,
    storeId: merged.storeId ?? null,
    partnerId: merged.partnerId ?? null,
    geometry,
    tags: [...new Set(merged.tags ?? [])],
    metadata: merged.metadata ?? {},
    enabled: mode === 'replace' ? (merged.enabled ?? true) : (merged.enabled ?? current.enabled),
    index,
    bbox,
    updatedAt: nowIso(),
    version: current.version + 1,
  };
  // New rows first (so the updated fence is never missed), then the fence, then rows of cells it left.
  await putIndexRows(p.tenantId, { ...next, anchor }, shapes);
  const ok = await replaceGeofence(p.tenantId, next, current.version);
  if (!ok) throw concurrentChange();
  const kept = new Set(shapes.map((c) => c.cell));
  const gone = current.index.cells.filter((c) => !kept.has(c));
  if (gone.length) await deleteIndexRows(p.tenantId, id, gone);
  return geofenceView(next);
}

export async function deleteGeofence(p: Principal, id: string) {
  await loadGeofence(p, id);
  if (await geofenceInUse(p.tenantId, id))
    throw conflict('in-use', 'Campaigns still use this geofence; remove it from them first.');
  // The fence first (the source of truth), then its rows.
  const deleted = await removeGeofence(p.tenantId, id);
  if (!deleted) throw notFound('Geofence');
  await deleteIndexRows(p.tenantId, id, deleted.index.cells);
}

/** What the offer path knows of a matched fence: all of it comes from the fence's index row. */
export interface MatchedFenceRow {
  id: string;
  storeId: string | null;
  partnerId: string | null;
  /** For {{distanceM}}; null for the fence of an exit, which the offer path knows only from the visit state. */
  anchor: { lat: number; lng: number } | null;
}

export interface FenceMatch {
  fence: MatchedFenceRow;
  confidence: MatchConfidence;
}

/**
 * The confidence of a point (and its accuracy) against one index row, exactly
 * as against the whole fence: the row's shape decides every point of its cell
 * (domain/geo/clip.ts). Unknown accuracy: a point inside is 'medium' at best.
 */
function rowConfidence(row: IndexRow, lat: number, lng: number, accuracyM: number | undefined): MatchConfidence | null {
  if (row.shape === 'inside') return accuracyM === undefined ? 'medium' : 'high';
  const g = row.geometry!;
  if (accuracyM === undefined) return containsPoint(g, lat, lng) ? 'medium' : null;
  return matchConfidence(g, lat, lng, accuracyM);
}

/**
 * The spatial lookup the offer path and `GET /v1/geofences/lookup` share:
 * ONE round trip whatever the tenant's size or its fences' vertex counts,
 * one Query per ladder resolution (INDEX_RESOLUTIONS) in parallel. Each row
 * carries its fence's shape near the row's cell, owner, anchor and enabled
 * flag, so no fence item is read: the cost of a match depends on how many
 * fences are near the point, not on how many the tenant has or how many
 * vertices they have. Rows whose box is farther than the accuracy are
 * dropped before any test.
 */
export async function findFences(tenantId: string, lat: number, lng: number, accuracyM?: number): Promise<FenceMatch[]> {
  return (await findFencesNear(tenantId, lat, lng, accuracyM, 0)).matches;
}

/**
 * findFences, and in the same round trip the fences within `marginM` beyond
 * the accuracy circle (`near`, the matched ones included): a shopper inside
 * a fence has left it only when the fix is not near it (domain/visits). The
 * index covers 1,000 m around each fence, so the margin is exact while
 * accuracy + margin stays within that.
 */
export async function findFencesNear(
  tenantId: string,
  lat: number,
  lng: number,
  accuracyM: number | undefined,
  marginM: number,
): Promise<{ matches: FenceMatch[]; near: Set<string> }> {
  const reach = accuracyM ?? 0;
  const rows = await queryCells(
    tenantId,
    lookupCells(lat, lng).map((c) => c.cell),
  );
  const best = new Map<string, FenceMatch>();
  const near = new Set<string>();
  for (const row of rows) {
    if (!row.enabled || best.has(row.geofenceId)) continue;
    const lowerBound = bboxLowerBoundM(row.bbox, lat, lng);
    if (lowerBound > reach + marginM + 1) continue;
    const confidence = lowerBound > reach + 1 ? null : rowConfidence(row, lat, lng, accuracyM);
    if (confidence) {
      best.set(row.geofenceId, {
        fence: { id: row.geofenceId, storeId: row.storeId, partnerId: row.partnerId, anchor: row.anchor },
        confidence,
      });
      near.add(row.geofenceId);
    } else if (marginM > 0 && (row.shape === 'inside' || isWithinM(row.geometry!, lat, lng, reach + marginM))) {
      near.add(row.geofenceId);
    }
  }
  const out = [...best.values()];
  if (out.length > MAX_MATCHES) log('warn', 'lookup matches capped', { tenantId, matches: out.length });
  return { matches: out.sort((a, b) => a.fence.id.localeCompare(b.fence.id)).slice(0, MAX_MATCHES), near };
}

/** The fences that contain the point, as full geofences (a second round: the matched fences only). */
export async function lookupGeofences(p: Principal, lat: number, lng: number) {
  const matches = (await findFences(p.tenantId, lat, lng)).filter((m) => !isRestricted(p) || canUseStore(p, m.fence.storeId));
  const fences = await getGeofencesByIds(
    p.tenantId,
    matches.map((m) => m.fence.id),
  );
  return { items: fences.sort((a, b) => a.id.localeCompare(b.id)).map(geofenceView) };
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const concurrentChange = () => conflict('concurrent-change', 'The resource changed meanwhile; read it again and retry.');
