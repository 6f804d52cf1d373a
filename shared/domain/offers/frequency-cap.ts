/** A per-shopper frequency cap: at most `maxOffers` per rolling window of `perHours` hours. */
export interface FrequencyCap {
  maxOffers: number;
  perHours: number;
}

/** What a shopper's cap item of one campaign holds: the slots taken, by slot id, at epoch milliseconds. */
export interface CapState {
  slots: Readonly<Record<string, number>>;
}

/** The slots still inside the cap's window at `nowMs` (taken less than `perHours` ago), as [slot id, taken at] pairs. */
export function liveSlots(slots: Readonly<Record<string, number>>, cap: FrequencyCap, nowMs: number): [string, number][] {
  const windowMs = cap.perHours * 3_600_000;
  return Object.entries(slots).filter(([, t]) => t > nowMs - windowMs);
}

/** Whether the shopper has used every slot of the cap at `nowMs`; no cap item (undefined) means no slot used. */
export function isCapFull(state: CapState | undefined, cap: FrequencyCap, nowMs: number): boolean {
  return liveSlots(state?.slots ?? {}, cap, nowMs).length >= cap.maxOffers;
}
