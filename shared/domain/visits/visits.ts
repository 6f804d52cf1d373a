import type { Confidence } from '../targeting/index.js';

/**
 * Visits: which geofences a shopper is inside, and the events a location fix
 * makes of it (entered, dwelled, exited). Pure: the caller reads the state,
 * passes the fix, writes the next state in the same transaction as the offers.
 *
 * - Enter: a fix that matches a fence with confidence `medium` or `high` while
 *   the shopper is not inside it. `low` never enters.
 * - Exit: a fix whose accuracy circle lies wholly outside the fence by at least
 *   EXIT_MARGIN_M (the caller tells which fences are nearer: `near`), while the
 *   shopper is inside. A fix near the edge changes nothing (no flapping).
 * - A visit unseen inside for VISIT_STALE_MS ends without an exit event.
 * - Dwell: the first fix inside at least `dwellMinutes` after entry, once per
 *   visit and threshold (the thresholds of the fence's dwell campaigns).
 * - A fix older than the latest one applied changes nothing (a replayed or
 *   late fix never moves the state back); a fix too vague to match neither.
 *   While the shopper is inside any fence every fix is written (its time is
 *   the latest), so no later fix can be judged against a stale one.
 * No coordinates are kept: fence ids, their store and partner, and times.
 */

/** How far outside a fence (beyond the accuracy circle) a fix must be to leave it. */
export const EXIT_MARGIN_M = 25;
/** A visit not seen inside for this long has ended (without an exit event). */
export const VISIT_STALE_MS = 12 * 3_600_000;
/** Fences tracked at once per shopper (the offer path matches at most 10 per fix). */
export const MAX_TRACKED_FENCES = 20;

export type VisitEventType = 'geofence.entered' | 'geofence.exited' | 'geofence.dwelled';
export const VISIT_EVENT_TYPES: readonly VisitEventType[] = ['geofence.entered', 'geofence.exited', 'geofence.dwelled'];

export interface FenceVisit {
  enteredAt: string;
  lastSeenAt: string;
  /** Dwell campaigns (ids) already fired in this visit: each fires once per visit, whatever its threshold becomes. */
  dwelled: string[];
  storeId: string | null;
  partnerId: string | null;
  /** Confidence of the fix that entered. */
  confidence: Confidence;
}

export interface VisitState {
  fences: Record<string, FenceVisit>;
  /** The time of the latest fix applied (null: none yet). */
  latestAt: string | null;
  /** Optimistic-concurrency version of the stored state (0: none stored). */
  version: number;
  /**
   * Per fence, the local date (its store's time zone) of the last visit counted as this shopper's first of the day
   * there (footfall's distinct visitors). Kept by the caller, carried over here.
   */
  counted?: Record<string, string>;
}

export const NO_VISITS: VisitState = { fences: {}, latestAt: null, version: 0 };

export interface VisitEvent {
  type: VisitEventType;
  geofenceId: string;
  at: string;
  confidence: Confidence;
  /** geofence.dwelled: the threshold reached. */
  dwellMinutes?: number;
  /** geofence.dwelled: the dwell campaigns (ids) this event fires (those of that threshold not fired yet this visit). */
  campaignIds?: string[];
  /** The fence's store and partner (for the offers of an exit, whose fence the fix no longer matches). */
  storeId: string | null;
  partnerId: string | null;
}

/** A visit that ended with this fix: by an exit, or found stale. For footfall. */
export interface EndedVisit {
  geofenceId: string;
  storeId: string | null;
  enteredAt: string;
  /** The exit's time, or the last time seen inside for a stale visit. */
  endedAt: string;
  dwellMinutes: number;
  exited: boolean;
}

export interface Fix {
  at: Date;
  /** Fences the fix matched, with the confidence at its accuracy. */
  matches: readonly { fence: { id: string; storeId: string | null; partnerId: string | null }; confidence: Confidence }[];
  /** Fences within the accuracy + EXIT_MARGIN_M of the fix (the matched ones included). */
  near: ReadonlySet<string>;
  /** Accuracy over the matching limit: the fix matches nothing and changes nothing. */
  tooVague: boolean;
  /** The dwell campaigns of a fence, with their thresholds (minutes). */
  dwellCampaigns: (geofenceId: string) => readonly { id: string; dwellMinutes: number }[];
  /**
   * Whether this fix can tell that the shopper left: false when the accuracy circle plus EXIT_MARGIN_M reaches past
   * what the spatial index covers around each fence (the `near` set would be incomplete). Default true.
   */
  canExit?: boolean;
  /**
   * Whether the caller may move the visits of a fence of this store (a store-restricted key moves only its stores'):
   * the others are carried over untouched. Default: every fence.
   */
  owns?: (storeId: string | null) => boolean;
}

export interface VisitStep {
  state: VisitState;
  events: VisitEvent[];
  /** Visits that began with this fix (for footfall). */
  entered: { geofenceId: string; storeId: string | null; enteredAt: string }[];
  ended: EndedVisit[];
  /** Whether the state is to be written (an event, a visit begun or ended, or a visit going on). */
  changed: boolean;
}

const inside = (c: Confidence) => c === 'medium' || c === 'high';
const minutesBetween = (from: string, to: Date) => Math.floor((to.getTime() - Date.parse(from)) / 60_000);

/** The state after one fix, and what happened. */
export function advanceVisits(state: VisitState, fix: Fix): VisitStep {
  const unchanged: VisitStep = { state, events: [], entered: [], ended: [], changed: false };
  const atMs = fix.at.getTime();
  if (fix.tooVague || !Number.isFinite(atMs)) return unchanged;
  if (state.latestAt !== null && atMs < Date.parse(state.latestAt)) return unchanged;
  const at = fix.at.toISOString();
  const fences: Record<string, FenceVisit> = {};
  const events: VisitEvent[] = [];
  const entered: VisitStep['entered'] = [];
  const ended: EndedVisit[] = [];
  let changed = false;

  // Visits unseen for too long end quietly; the others carry over (those the caller may not move, as they are).
  const owns = fix.owns ?? (() => true);
  const untouched = new Set<string>();
  for (const [id, v] of Object.entries(state.fences)) {
    if (!owns(v.storeId)) {
      fences[id] = v;
      untouched.add(id);
    } else if (atMs - Date.parse(v.lastSeenAt) > VISIT_STALE_MS) {
      ended.push(endOf(id, v, v.lastSeenAt, false));
      changed = true;
    } else fences[id] = { ...v, dwelled: [...v.dwelled] };
  }

  const matched = new Map(fix.matches.map((m) => [m.fence.id, m]));
  for (const m of [...fix.matches].sort((a, b) => a.fence.id.localeCompare(b.fence.id))) {
    if (!inside(m.confidence)) continue;
    const id = m.fence.id;
    if (untouched.has(id)) continue;
    const v = fences[id];
    if (!v) {
      if (Object.keys(fences).length >= MAX_TRACKED_FENCES) continue;
      fences[id] = {
        enteredAt: at,
        lastSeenAt: at,
        dwelled: [],
        storeId: m.fence.storeId,
        partnerId: m.fence.partnerId,
        confidence: m.confidence,
      };
      events.push({ type: 'geofence.entered', geofenceId: id, at, confidence: m.confidence, ...owner(fences[id]) });
      entered.push({ geofenceId: id, storeId: m.fence.storeId, enteredAt: at });
      changed = true;
      continue;
    }
    v.lastSeenAt = at;
    const stayed = minutesBetween(v.enteredAt, fix.at);
    // The dwell campaigns past their threshold and not fired yet this visit: one event per threshold reached.
    const due = new Map<number, string[]>();
    for (const c of fix.dwellCampaigns(id)) {
      if (stayed < c.dwellMinutes || v.dwelled.includes(c.id)) continue;
      v.dwelled.push(c.id);
      due.set(c.dwellMinutes, [...(due.get(c.dwellMinutes) ?? []), c.id]);
    }
    for (const [t, campaignIds] of [...due.entries()].sort(([a], [b]) => a - b))
      events.push({
        type: 'geofence.dwelled',
        geofenceId: id,
        at,
        confidence: m.confidence,
        dwellMinutes: t,
        campaignIds: campaignIds.sort(),
        ...owner(v),
      });
  }

  // Wholly outside by the margin: the visit ends with an exit. Near the edge (or matched at low confidence): unchanged.
  for (const [id, v] of Object.entries(fences)) {
    if (fix.canExit === false || fix.near.has(id) || matched.has(id) || untouched.has(id)) continue;
    delete fences[id];
    events.push({ type: 'geofence.exited', geofenceId: id, at, confidence: 'high', ...owner(v) });
    ended.push(endOf(id, v, at, true));
    changed = true;
  }

  // A visit going on: this fix is the latest, written so that an older one arriving later is known to be older.
  if (Object.keys(fences).some((id) => !untouched.has(id))) changed = true;
  if (!changed) return unchanged;
  return {
    state: { fences, latestAt: at, version: state.version, ...(state.counted ? { counted: { ...state.counted } } : {}) },
    events,
    entered,
    ended,
    changed,
  };
}

const owner = (v: FenceVisit) => ({ storeId: v.storeId, partnerId: v.partnerId });

function endOf(geofenceId: string, v: FenceVisit, endedAt: string, exited: boolean): EndedVisit {
  return {
    geofenceId,
    storeId: v.storeId,
    enteredAt: v.enteredAt,
    endedAt,
    dwellMinutes: Math.max(0, Math.floor((Date.parse(endedAt) - Date.parse(v.enteredAt)) / 60_000)),
    exited,
  };
}

/**
 * The campaign triggers an event fires: enter → `enter`, exited → `exit`, dwelled → the `dwell` campaigns it names
 * (those past their threshold and not fired yet this visit).
 */
export function firedBy(
  event: Pick<VisitEvent, 'type' | 'dwellMinutes' | 'campaignIds'>,
  campaign: { id: string; trigger?: string | null; dwellMinutes?: number | null },
): boolean {
  switch (event.type) {
    case 'geofence.entered':
      return campaign.trigger === 'enter';
    case 'geofence.exited':
      return campaign.trigger === 'exit';
    case 'geofence.dwelled':
      return campaign.trigger === 'dwell' && (event.campaignIds ?? []).includes(campaign.id);
  }
}
