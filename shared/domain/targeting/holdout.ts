import { createHash } from 'node:crypto';

/** Number of holdout buckets; one bucket is 0.01 % of shoppers. */
export const HOLDOUT_BUCKETS = 10_000;

/**
 * Deterministic bucket in [0, 10000) for a shopper within a campaign: the
 * first 48 bits of SHA-256(`${campaignId}:${shopperId}`) modulo 10,000. The
 * same pair always lands in the same bucket, on every server, and buckets of
 * different campaigns are independent, so a shopper is not held out of
 * every campaign at once.
 */
export function holdoutBucket(campaignId: string, shopperId: string): number {
  const digest = createHash('sha256').update(`${campaignId}:${shopperId}`, 'utf8').digest();
  return digest.readUIntBE(0, 6) % HOLDOUT_BUCKETS;
}

/**
 * Whether the shopper belongs to the campaign's control group: recorded as
 * eligible but not offered. `holdoutPercent` 10 holds out buckets 0-999,
 * i.e. 10 % of shoppers; 0 (or anything not above 0) holds out nobody.
 */
export function isHeldOut(campaignId: string, shopperId: string, holdoutPercent: number): boolean {
  if (!(holdoutPercent > 0)) return false;
  const threshold = Math.round(Math.min(holdoutPercent, 100) * 100);
  return holdoutBucket(campaignId, shopperId) < threshold;
}
