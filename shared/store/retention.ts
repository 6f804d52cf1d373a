/**
 * How long shopper-scoped data lives. Every shopper item carries a TTL
 * attribute from these numbers, and reads treat expired items as absent
 * (DynamoDB deletes them only eventually).
 */
export const RETENTION = {
  /** Profile: two years after its last update. */
  profileDays: 730,
  /** Offers (and their id pointers): this long after they expire, for redemption answers (410) and audits. */
  offerAfterExpiryDays: 30,
  /** Eligibility records (offered / held out), for conversion attribution (7 days) plus a margin. */
  eligibilityDays: 8,
  /** Last coarse location (H3 resolution 8 cell). */
  locationDays: 30,
  /** Distinct-shopper markers behind k-anonymous stats rows. */
  seenDays: 400,
  /** Conversions recorded against the shopper. */
  conversionDays: 400,
} as const;

export const DAY_S = 86_400;
