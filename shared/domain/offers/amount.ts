import * as z from 'zod';

/**
 * A money amount on a redemption or a purchase (conversion), in the tenant's
 * currency: 0 to AMOUNT_MAX with at most 2 decimals. The bound keeps one
 * request from swamping a campaign's revenue and lift (regression: "forged
 * results", 30 purchases of 1e9 turned a campaign's lift from 0 to -0.70).
 */
export const AMOUNT_MAX = 1_000_000;
export const AMOUNT_DECIMALS = 2;

export const AmountSchema = z
  .number()
  .min(0)
  .max(AMOUNT_MAX)
  .multipleOf(0.01, { error: `at most ${AMOUNT_DECIMALS} decimals` })
  .describe(`Amount in the tenant's currency: 0 to ${AMOUNT_MAX.toLocaleString('en-US')}, at most ${AMOUNT_DECIMALS} decimals.`);
