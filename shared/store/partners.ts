import { createEntity, deleteEntity, getEntitiesByIds, getEntity, listEntities, replaceEntity, type Page } from './entities.js';

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
