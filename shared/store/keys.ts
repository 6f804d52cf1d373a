/**
 * Every DynamoDB key of the single table is built here, and only here.
 *
 * One definition per entity (in the spirit of ElectroDB): `pk`/`sk` for the
 * base table, `gsi1pk`/`gsi1sk` where an entity is also listed another way.
 * Everything about a shopper lives under one partition derived from the
 * tenant and shopper id, so export and erasure are one query, not a scan.
 */

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'ttl',
} as const;

export interface Key {
  pk: string;
  sk: string;
}

const tenantPk = (tenantId: string) => `T#${tenantId}`;
const shopperPk = (tenantId: string, shopperId: string) => `T#${tenantId}#S#${shopperId}`;
const campaignPk = (tenantId: string, campaignId: string) => `T#${tenantId}#C#${campaignId}`;

/** Entities kept in the tenant's own partition, listed by sort-key prefix. */
export type TenantEntity = 'STORE' | 'PARTNER' | 'GEOFENCE' | 'CAMPAIGN' | 'APIKEY' | 'WEBHOOK';

export const keys = {
  /** The tenant record. */
  tenant: (tenantId: string): Key => ({ pk: tenantPk(tenantId), sk: 'TENANT' }),

  /** API key looked up by the SHA-256 of its value (the authorizer's one read). */
  apiKeyByHash: (sha256: string): Key => ({ pk: `KEY#${sha256}`, sk: 'KEY' }),

  /** Any tenant-owned configuration entity (store, partner, geofence, campaign, key listing, webhook). */
  entity: (tenantId: string, kind: TenantEntity, id: string): Key => ({
    pk: tenantPk(tenantId),
    sk: `${kind}#${id}`,
  }),
  /** Query prefix to list one kind of entity of a tenant. */
  entityList: (tenantId: string, kind: TenantEntity) => ({ pk: tenantPk(tenantId), skPrefix: `${kind}#` }),

  /** GSI1: geofences of one owner, a store or a partner (list filter `storeId`, delete checks). */
  geofenceByOwner: (tenantId: string, ownerId: string, geofenceId: string) => ({
    gsi1pk: `T#${tenantId}#GFOWNER#${ownerId}`,
    gsi1sk: `GF#${geofenceId}`,
  }),
  geofenceByOwnerList: (tenantId: string, ownerId: string) => ({ gsi1pk: `T#${tenantId}#GFOWNER#${ownerId}` }),

  /** H3 cell index row: one per (cell, geofence); holds enough geometry to decide containment. */
  cellIndex: (tenantId: string, cell: string, geofenceId: string): Key => ({
    pk: `T#${tenantId}#CELL#${cell}`,
    sk: `GF#${geofenceId}`,
  }),
  cellPartition: (tenantId: string, cell: string) => ({ pk: `T#${tenantId}#CELL#${cell}` }),

  /** Campaigns attached to one geofence (fan-out row, read on the offer path). */
  campaignByGeofence: (tenantId: string, geofenceId: string, campaignId: string): Key => ({
    pk: `T#${tenantId}#GFC#${geofenceId}`,
    sk: `C#${campaignId}`,
  }),
  campaignByGeofenceList: (tenantId: string, geofenceId: string) => ({ pk: `T#${tenantId}#GFC#${geofenceId}` }),

  /** Shopper partition: profile, offers, caps, eligibility, location state. */
  shopperPartition: (tenantId: string, shopperId: string) => ({ pk: shopperPk(tenantId, shopperId) }),
  shopperProfile: (tenantId: string, shopperId: string): Key => ({ pk: shopperPk(tenantId, shopperId), sk: 'PROFILE' }),
  shopperOffer: (tenantId: string, shopperId: string, offerId: string): Key => ({
    pk: shopperPk(tenantId, shopperId),
    sk: `OFFER#${offerId}`,
  }),
  shopperOfferPrefix: 'OFFER#',
  frequencyCap: (tenantId: string, shopperId: string, campaignId: string): Key => ({
    pk: shopperPk(tenantId, shopperId),
    sk: `CAP#${campaignId}`,
  }),
  /** Eligibility record (offered or held out) used to attribute conversions for 7 days. */
  eligibility: (tenantId: string, shopperId: string, campaignId: string, atIso: string): Key => ({
    pk: shopperPk(tenantId, shopperId),
    sk: `ELIG#${atIso}#${campaignId}`,
  }),
  eligibilityPrefix: 'ELIG#',
  conversion: (tenantId: string, shopperId: string, conversionId: string): Key => ({
    pk: shopperPk(tenantId, shopperId),
    sk: `CONV#${conversionId}`,
  }),
  lastLocation: (tenantId: string, shopperId: string): Key => ({ pk: shopperPk(tenantId, shopperId), sk: 'LOC' }),
  /**
   * Distinct-shopper marker ("this shopper is already counted in campaign c's
   * row r"), kept in the SHOPPER's partition so erasure removes it with the
   * rest and no campaign partition ever holds a shopper id.
   */
  shopperSeen: (tenantId: string, shopperId: string, campaignId: string, row: string): Key => ({
    pk: shopperPk(tenantId, shopperId),
    sk: `SEEN#${campaignId}#${row}`,
  }),

  /** Pointer from an offer id to its shopper (redeem and delivery find the offer in one read). */
  offerPointer: (tenantId: string, offerId: string): Key => ({ pk: `T#${tenantId}#O#${offerId}`, sk: 'OFFER' }),

  /** Campaign counters (budget, totals) and per-day / per-geofence breakdown rows. */
  campaignCounters: (tenantId: string, campaignId: string): Key => ({ pk: campaignPk(tenantId, campaignId), sk: 'STATS' }),
  campaignPartition: (tenantId: string, campaignId: string) => ({ pk: campaignPk(tenantId, campaignId) }),
  campaignBreakdown: (tenantId: string, campaignId: string, dimension: 'DAY' | 'GF', value: string): Key => ({
    pk: campaignPk(tenantId, campaignId),
    sk: `STATS#${dimension}#${value}`,
  }),
  campaignBreakdownPrefix: (dimension: 'DAY' | 'GF') => `STATS#${dimension}#`,
  /** Reference from a shopper to an idempotency record holding a response about them (erasure finds it). */
  shopperIdempotencyRef: (tenantId: string, shopperId: string, keyId: string, idempotencyKey: string): Key => ({
    pk: shopperPk(tenantId, shopperId),
    sk: `IDEMREF#${keyId}#${idempotencyKey}`,
  }),
  shopperIdempotencyRefPrefix: 'IDEMREF#',

  /** Idempotency record, scoped to the tenant and the calling key. */
  idempotency: (tenantId: string, keyId: string, idempotencyKey: string): Key => ({
    pk: `T#${tenantId}#IDEM#${keyId}`,
    sk: `I#${idempotencyKey}`,
  }),

  /** Rate-limit state of one API key (GCRA theoretical arrival time). */
  rateLimit: (keyId: string): Key => ({ pk: `RL#${keyId}`, sk: 'RL' }),
};
