/** Shoppers and converting shoppers of one arm of a campaign. */
export interface ArmCounts {
  /** Distinct shoppers in the arm (offered for treatment, held out for holdout). */
  shoppers: number;
  /** Distinct shoppers of the arm with at least one attributed conversion. */
  converters: number;
}

export interface LiftResult {
  conversionRate: { treatment: number | null; holdout: number | null };
  lift: number | null;
}

function rate(arm: ArmCounts): number | null {
  return Number.isFinite(arm.shoppers) && arm.shoppers > 0 && Number.isFinite(arm.converters)
    ? arm.converters / arm.shoppers
    : null;
}

/**
 * Conversion rates of the treatment and holdout arms and the relative lift
 * of treatment over holdout.
 *
 * rate = converters / shoppers, `null` when the arm has no shoppers;
 * lift = (treatment − holdout) / holdout, `null` when either rate is `null`
 * or the holdout rate is 0 (lift over nothing is undefined, not infinite).
 * Values are exact, not rounded: rounding is left to presentation so that
 * rates and lift stay consistent with each other. A lift of 0.25 means the
 * treatment converted 25 % better than the control group; negative lift
 * means the offers did worse than doing nothing.
 */
export function computeLift(treatment: ArmCounts, holdout: ArmCounts): LiftResult {
  const t = rate(treatment);
  const h = rate(holdout);
  return {
    conversionRate: { treatment: t, holdout: h },
    lift: t !== null && h !== null && h !== 0 ? (t - h) / h : null,
  };
}

/** Default minimum number of distinct shoppers behind a reported breakdown row. */
export const SUPPRESSION_K = 10;

/** A stats breakdown row before suppression: any key fields plus counts. */
export interface CountedRow {
  /** Distinct shoppers behind the row; never reported. */
  shoppers: number;
  offered: number | null;
  redeemed: number | null;
}

export type SuppressedRow<T extends CountedRow> = Omit<T, 'shoppers' | 'offered' | 'redeemed'> & {
  offered: number | null;
  redeemed: number | null;
  suppressed: boolean;
};

/**
 * Protects small groups in stats breakdowns (`byDay`, `byGeofence`): a row
 * behind fewer than `k` distinct shoppers reports `offered` and `redeemed`
 * as `null` with `suppressed: true`; other rows keep their counts with
 * `suppressed: false`. The shopper count itself is removed from every row.
 * Key fields (`date`, `geofenceId`) and row order are kept.
 *
 * With `secondary: true`, when exactly one row is suppressed the smallest
 * remaining row is suppressed too, so the hidden counts cannot be recovered
 * by subtracting the visible rows from a published total.
 */
export function suppressSmall<T extends CountedRow>(
  rows: readonly T[],
  k: number = SUPPRESSION_K,
  options: { secondary?: boolean } = {},
): SuppressedRow<T>[] {
  if (!(Number.isFinite(k) && k >= 1)) throw new RangeError('k must be a number >= 1');
  const hide = rows.map((r) => !(r.shoppers >= k));
  if (options.secondary && hide.filter(Boolean).length === 1) {
    let smallest = -1;
    rows.forEach((r, i) => {
      if (!hide[i] && (smallest < 0 || r.shoppers < rows[smallest]!.shoppers)) smallest = i;
    });
    if (smallest >= 0) hide[smallest] = true;
  }
  return rows.map((row, i) => {
    const { shoppers: _shoppers, offered, redeemed, ...keys } = row;
    return hide[i]
      ? { ...keys, offered: null, redeemed: null, suppressed: true }
      : { ...keys, offered, redeemed, suppressed: false };
  });
}
