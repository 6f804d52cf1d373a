/**
 * Key plumbing the entity modules share (store-private): the partitions
 * several entities live in. Every other key is built in its entity's module
 * (tenants.ts, apikeys.ts, stores.ts, ..., seen-markers.ts, idempotency.ts,
 * ratelimit.ts), and no key string is built outside shared/store.
 *
 * Everything of a tenant sits under `T#<tenant>`; everything about a shopper
 * under one partition derived from tenant and shopper, so export and erasure
 * are one query, not a scan.
 */

/** The tenant's own partition: the tenant record and its configuration entities; the prefix of its other partitions. */
export const tenantPartition = (tenantId: string) => `T#${tenantId}`;

/** The shopper's partition: profile, offers, caps, eligibility, conversions, location, markers, idempotency refs. */
export const shopperPartition = (tenantId: string, shopperId: string) => `${tenantPartition(tenantId)}#S#${shopperId}`;
