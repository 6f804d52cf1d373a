import { queryPartition } from './db.js';
import {
  createEntity,
  deleteEntity,
  entityListKey,
  getEntitiesByIds,
  getEntity,
  listEntities,
  replaceEntity,
  type Page,
} from './entities.js';

/**
 * A local partner business (local_partner campaigns promote it).
 *   pk T#<tenant>   sk PARTNER#<partnerId>      no TTL (configuration)
 */
export interface Partner {
  id: string;
  name: string;
  category: string;
  location: { lat: number; lng: number };
  contactEmail: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const KIND = 'PARTNER';

/** One partner of a tenant, or undefined. */
export const getPartner = (tenantId: string, id: string) => getEntity<Partner>(tenantId, KIND, id);

/** Several partners by id (one BatchGet); missing ones are left out. */
export const getPartnersByIds = (tenantId: string, ids: string[]) => getEntitiesByIds<Partner>(tenantId, KIND, ids);

/** Create a partner (its id must be new). */
export const insertPartner = (tenantId: string, partner: Partner) => createEntity(tenantId, KIND, partner);

/** Replace a partner still at `expectedVersion`; false when it changed or went meanwhile. */
export const replacePartner = (tenantId: string, partner: Partner, expectedVersion: number) =>
  replaceEntity(tenantId, KIND, partner, expectedVersion);

/** Delete a partner; the deleted partner, or undefined when there was none. */
export const removePartner = (tenantId: string, id: string) => deleteEntity<Partner>(tenantId, KIND, id);

/** One page of a tenant's partners. */
export const listPartnersPage = (tenantId: string, limit: number, cursor: string | undefined): Promise<Page<Partner>> =>
  listEntities<Partner>(tenantId, KIND, limit, cursor);

/**
 * Every partner's name, by id (the offer path's configuration cache holds it):
 * one Query of the tenant's partner rows, projected to id and name,
 * eventually consistent, paged past 1 MB.
 */
export async function allPartnerNames(tenantId: string): Promise<Map<string, string>> {
  const { pk, skPrefix } = entityListKey(tenantId, KIND);
  const rows = await queryPartition(pk, skPrefix, { projection: 'id, #n', names: { '#n': 'name' }, consistent: false });
  return new Map(rows.map((r) => [String(r.id), String(r.name)]));
}
