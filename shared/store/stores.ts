import { createEntity, deleteEntity, getEntitiesByIds, getEntity, listEntities, replaceEntity, type Page } from './entities.js';

/**
 * A store of the tenant (a shop, with its time zone for schedules).
 *   pk T#<tenant>   sk STORE#<storeId>      no TTL (configuration)
 */
export interface Store {
  id: string;
  name: string;
  location: { lat: number; lng: number };
  timezone: string;
  address: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const KIND = 'STORE';

/** One store of a tenant, or undefined. */
export const getStore = (tenantId: string, id: string) => getEntity<Store>(tenantId, KIND, id);

/** Several stores by id (one BatchGet); missing ones are left out. */
export const getStoresByIds = (tenantId: string, ids: string[]) => getEntitiesByIds<Store>(tenantId, KIND, ids);

/** Create a store (its id must be new). */
export const insertStore = (tenantId: string, store: Store) => createEntity(tenantId, KIND, store);

/** Replace a store still at `expectedVersion`; false when it changed or went meanwhile. */
export const replaceStore = (tenantId: string, store: Store, expectedVersion: number) =>
  replaceEntity(tenantId, KIND, store, expectedVersion);

/** Delete a store; the deleted store, or undefined when there was none. */
export const removeStore = (tenantId: string, id: string) => deleteEntity<Store>(tenantId, KIND, id);

/** One page of a tenant's stores, only those in `onlyIds` when given. */
export const listStoresPage = (
  tenantId: string,
  limit: number,
  cursor: string | undefined,
  onlyIds?: string[],
): Promise<Page<Store>> =>
  listEntities<Store>(tenantId, KIND, limit, cursor, onlyIds ? { in: { attribute: 'id', values: onlyIds } } : undefined);
