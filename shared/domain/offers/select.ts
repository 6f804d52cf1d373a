import { GEO_LIMITS, haversineM } from '../geo/index.js';
import {
  confidenceRank,
  evaluateAudience,
  evaluateRule,
  hasConsent,
  isHeldOut,
  isInSchedule,
  meetsMinConfidence,
  renderOfferText,
  type Audience,
  type Confidence,
  type Profile,
  type Schedule,
} from '../targeting/index.js';
import { isCapFull, type CapState, type FrequencyCap } from './frequency-cap.js';

/**
 * Why a campaign is not offered, in the order they are listed. The first
 * eleven are the dry run's codes; `offer_limit_reached` marks a campaign that
 * passed every check but did not fit in the offers one request makes.
 */
export const REASON_CODES = [
  'no_consent',
  'accuracy_too_low',
  'not_in_geofence',
  'confidence_below_minimum',
  'campaign_not_active',
  'outside_schedule',
  'audience_not_matched',
  'trigger_not_met',
  'frequency_capped',
  'budget_exhausted',
  'held_out',
  'offer_limit_reached',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  message: string;
  detail?: Record<string, unknown>;
}

export type Decision = 'offer' | 'held_out' | 'not_eligible';

/** When a campaign fires. Campaigns without one fire on every location inside (`inside`). */
export type OfferTrigger = 'enter' | 'dwell' | 'exit' | 'inside';

/** The parts of a campaign the decision reads. */
export interface OfferCampaign {
  id: string;
  status: string;
  geofenceIds: readonly string[];
  partnerId?: string | null;
  audience?: Audience | null;
  offer: { title: string; body: string; code?: string | null };
  schedule?: Schedule | null;
  budget?: { maxOffers: number } | null;
  frequencyCap?: FrequencyCap | null;
  holdoutPercent?: number | null;
  priority?: number | null;
  minConfidence?: Confidence | null;
  trigger?: OfferTrigger | null;
  dwellMinutes?: number | null;
}

/** A geofence the location matched, with the confidence of the match. */
export interface MatchedFence {
  /** The fence: its id, store, and anchor (fenceAnchor of its whole geometry, for {{distanceM}}). */
  fence: { id: string; storeId: string | null; anchor: { lat: number; lng: number } | null };
  confidence: Confidence;
}

/** Budget state of a campaign, where it was read: offers issued so far. */
export interface BudgetState {
  used: number;
}

export interface OfferDecisionInput<C extends OfferCampaign, F extends MatchedFence> {
  /** Every campaign to decide on: those on the matched fences, and any other the caller names. */
  campaigns: readonly C[];
  /** The fences the location matched (after any store restriction of the key). */
  fences: readonly F[];
  /** The merged profile (stored and inline, see `mergeProfile`). */
  profile: Profile;
  /** The shopper: the holdout group is decided on campaign and shopper. */
  shopperId: string;
  /** The location, in memory only: its accuracy, and the point the offer's `{{distanceM}}` is measured from. */
  location: { lat: number; lng: number; accuracyM?: number };
  /** The request's time: audience dates and frequency-cap windows are read at it. */
  now: Date;
  /** The instant schedules are evaluated at (the request's `at`, or `now`). */
  at: Date;
  /** Cap items of the shopper by campaign id; a campaign with a cap and no item has used no slot. */
  caps?: ReadonlyMap<string, CapState>;
  /** Budget state by campaign id; a campaign without an entry has budget left. */
  budgets?: ReadonlyMap<string, BudgetState>;
  /**
   * Campaigns (of a trigger other than `inside`) whose trigger event happened on this request, with the fences it
   * happened at (an exit's fence is no longer matched: it comes from here, with the confidence of the event).
   */
  triggered?: ReadonlyMap<string, readonly F[]>;
  /** Names filled into `{{storeName}}` and `{{partnerName}}`; a missing name renders as nothing. */
  storeNames?: ReadonlyMap<string, string>;
  partnerNames?: ReadonlyMap<string, string>;
  /** Most offers one request makes. */
  maxOffers: number;
}

/** An offer as the shopper sees it, before it gets an id and an expiry. */
export interface OfferContent {
  title: string;
  body: string;
  code: string | null;
  geofenceId: string;
  storeId: string | null;
  partnerId: string | null;
  confidence: Confidence;
}

/**
 * One campaign's decision. `reasons` is empty for an offer and lists every
 * failed check otherwise; `match` is the campaign's best-confidence matched
 * fence (absent when the location is on none of its fences).
 */
export type CampaignDecision<C extends OfferCampaign = OfferCampaign, F extends MatchedFence = MatchedFence> =
  | { decision: 'offer'; campaign: C; reasons: []; match: F; offer: OfferContent }
  | { decision: 'held_out'; campaign: C; reasons: Reason[]; match: F }
  | { decision: 'not_eligible'; campaign: C; reasons: Reason[]; match?: F };

/** A decision before its offer is personalised (see {@link renderOffers}). */
export type PlannedDecision<C extends OfferCampaign = OfferCampaign, F extends MatchedFence = MatchedFence> =
  | { decision: 'offer'; campaign: C; reasons: []; match: F }
  | { decision: 'held_out'; campaign: C; reasons: Reason[]; match: F }
  | { decision: 'not_eligible'; campaign: C; reasons: Reason[]; match?: F };

/** Whether a location's accuracy is too poor to match any geofence. */
export function isTooVague(accuracyM: number | undefined): boolean {
  return (accuracyM ?? 0) > GEO_LIMITS.maxAccuracyM;
}

/** Priority order of offers: higher priority first, then campaign id. */
export function byPriority(a: OfferCampaign, b: OfferCampaign): number {
  return (b.priority ?? 0) - (a.priority ?? 0) || a.id.localeCompare(b.id);
}

/** The campaign's matched fence of the best confidence; among equals, the one listed first on the campaign. */
export function bestMatch<F extends MatchedFence>(campaign: OfferCampaign, byFence: ReadonlyMap<string, F>): F | undefined {
  return campaign.geofenceIds
    .map((g) => byFence.get(g))
    .filter((m): m is F => !!m)
    .sort((a, b) => confidenceRank(b.confidence) - confidenceRank(a.confidence))[0];
}

/** The first rule of the audience the profile fails, or undefined when the profile matches. */
export function failedAudienceRule(
  audience: Audience | null | undefined,
  profile: Profile,
  now: Date,
): { ruleIndex: number; attribute: string; op: string } | undefined {
  if (evaluateAudience(audience, profile, now)) return undefined;
  const rules = audience?.rules ?? [];
  const ruleIndex = rules.findIndex((r) => !evaluateRule(r, profile, now));
  const rule = rules[ruleIndex];
  return rule && { ruleIndex, attribute: rule.attribute, op: rule.op };
}

const reasonOrder = (a: Reason, b: Reason) => REASON_CODES.indexOf(a.code) - REASON_CODES.indexOf(b.code);

/** A campaign's failed checks, before the request's offer limit is applied. */
type Checked<C extends OfferCampaign, F extends MatchedFence> = {
  campaign: C;
  match?: F;
  eligibility: Reason[];
  heldOut?: Reason;
  later: Reason[];
};

/**
 * Decides, for every campaign, whether this request makes an offer, records
 * the shopper as held out (the control group), or neither, and why.
 *
 * Checks, each listed in `reasons` when it fails:
 * - eligibility: both consents (`no_consent`), a location precise enough to
 *   match (`accuracy_too_low`, in place of the fence check), one of the
 *   campaign's fences matched (`not_in_geofence`) with at least its
 *   `minConfidence` (`confidence_below_minimum`, on the best match), status
 *   `active`, the schedule at `at`, the audience at `now` (the detail names
 *   the first failing rule) and the trigger (`inside`, or none, is met by
 *   the match; any other trigger when its campaign is in `triggered`);
 * - the frequency cap at `now` (`frequency_capped`, for offers and held-out
 *   records alike), the budget where it is known (`budget_exhausted`,
 *   offers only: a held-out record spends none), and the holdout group
 *   (`held_out`);
 * - the request's offer limit: of the eligible campaigns not held out, the
 *   first `maxOffers` in priority order are offered; those after them get
 *   `offer_limit_reached`. The cap and the budget do not change which
 *   campaigns fit (the hot path learns of them only when it writes).
 *
 * `offer` when nothing failed, `held_out` when only the holdout did,
 * `not_eligible` otherwise. Decisions come in priority order (higher
 * `priority` first, then campaign id). An offer is personalised with the
 * profile's first name, the names given and the distance from the location
 * to the fence's anchor.
 *
 * It is the composition of three steps the hot path runs apart, so that it
 * reads cap items and partner names only for the campaigns that need them and
 * decides once: {@link planOffers} (every check but the frequency cap),
 * {@link applyCaps} (cap items only take offers away, and do not change which
 * campaigns fit in the request's limit) and {@link renderOffers}
 * (personalisation). A cap or budget write refused afterwards is applied with
 * {@link refuseAfterWrite}.
 */
export function selectOffers<C extends OfferCampaign, F extends MatchedFence>(
  input: OfferDecisionInput<C, F>,
): CampaignDecision<C, F>[] {
  return renderOffers(applyCaps(planOffers(input), input.caps, input.now), input);
}

/** Every check of {@link selectOffers} but the frequency cap, and no personalisation: `input.caps` and the names are not read. */
export function planOffers<C extends OfferCampaign, F extends MatchedFence>(
  input: OfferDecisionInput<C, F>,
): PlannedDecision<C, F>[] {
  const { profile, now, location } = input;
  const consent = hasConsent(profile);
  const tooVague = isTooVague(location.accuracyM);
  const byFence = new Map(input.fences.map((m) => [m.fence.id, m]));

  const checked: Checked<C, F>[] = [...input.campaigns].sort(byPriority).map((c) => {
    const trigger = c.trigger ?? 'inside';
    const firedAt = trigger === 'inside' ? undefined : input.triggered?.get(c.id);
    // A triggered campaign is offered at the fence of its event; any other at its best matched fence.
    const match = tooVague
      ? undefined
      : firedAt?.length
        ? bestMatch(c, new Map(firedAt.map((m) => [m.fence.id, m])))
        : bestMatch(c, byFence);
    const eligibility: Reason[] = [];
    const later: Reason[] = [];
    if (!consent)
      eligibility.push({ code: 'no_consent', message: 'The shopper has not given both location and marketing consent.' });
    if (tooVague) {
      eligibility.push({
        code: 'accuracy_too_low',
        message: `The location is too vague to match a geofence (accuracy ${location.accuracyM} m, at most ${GEO_LIMITS.maxAccuracyM} m).`,
        detail: { accuracyM: location.accuracyM, maxAccuracyM: GEO_LIMITS.maxAccuracyM },
      });
    } else if (!match) {
      eligibility.push({ code: 'not_in_geofence', message: "The location matches none of the campaign's geofences." });
    } else if (!meetsMinConfidence(match.confidence, c.minConfidence ?? undefined)) {
      eligibility.push({
        code: 'confidence_below_minimum',
        message: `The best match has confidence ${match.confidence}; the campaign needs at least ${c.minConfidence}.`,
        detail: { confidence: match.confidence, minConfidence: c.minConfidence, geofenceId: match.fence.id },
      });
    }
    if (c.status !== 'active') {
      eligibility.push({
        code: 'campaign_not_active',
        message: `The campaign is ${c.status}, not active.`,
        detail: { status: c.status },
      });
    }
    if (!isInSchedule(c.schedule, input.at)) {
      eligibility.push({
        code: 'outside_schedule',
        message: "The campaign's schedule does not allow offers at this time.",
        detail: { at: Number.isFinite(input.at.getTime()) ? input.at.toISOString() : null },
      });
    }
    const failedRule = failedAudienceRule(c.audience, profile, now);
    if (failedRule) {
      eligibility.push({
        code: 'audience_not_matched',
        message: `The shopper is not in the audience: rule ${failedRule.ruleIndex} (${failedRule.attribute} ${failedRule.op}) does not hold.`,
        detail: failedRule,
      });
    }
    if (trigger !== 'inside' && !firedAt?.length) {
      eligibility.push({
        code: 'trigger_not_met',
        message: `The campaign fires on ${trigger}, which this location did not produce.`,
        detail: { trigger },
      });
    }

    const heldOut = isHeldOut(c.id, input.shopperId, c.holdoutPercent ?? 0);
    const budget = c.budget;
    const spent = input.budgets?.get(c.id);
    if (!heldOut && budget && spent && spent.used >= budget.maxOffers) {
      later.push({
        code: 'budget_exhausted',
        message: `The campaign has issued its budget of ${budget.maxOffers} offers.`,
        detail: { maxOffers: budget.maxOffers },
      });
    }
    return {
      campaign: c,
      match,
      eligibility,
      later,
      heldOut: heldOut
        ? {
            code: 'held_out',
            message: `The shopper is in the campaign's control group (${c.holdoutPercent} %): recorded, not offered.`,
            detail: { holdoutPercent: c.holdoutPercent },
          }
        : undefined,
    };
  });

  let offered = 0;
  return checked.map(({ campaign: c, match, eligibility, heldOut, later }) => {
    const reasons = [...eligibility, ...later];
    if (heldOut) reasons.push(heldOut);
    else if (!eligibility.length && offered++ >= input.maxOffers) {
      reasons.push({
        code: 'offer_limit_reached',
        message: `Campaigns of higher priority fill the ${input.maxOffers} offers one request makes.`,
        detail: { maxOffers: input.maxOffers },
      });
    }
    reasons.sort(reasonOrder);
    return decisionOf(c, reasons, match);
  });
}

/** The decision its (sorted) reasons give: none is an offer, the holdout alone is held out. */
function decisionOf<C extends OfferCampaign, F extends MatchedFence>(
  c: C,
  reasons: Reason[],
  match: F | undefined,
): PlannedDecision<C, F> {
  if (match && !reasons.length) return { decision: 'offer', campaign: c, reasons: [], match };
  if (match && reasons.length === 1 && reasons[0]!.code === 'held_out')
    return { decision: 'held_out', campaign: c, reasons, match };
  return { decision: 'not_eligible', campaign: c, reasons, ...(match ? { match } : {}) };
}

/**
 * The frequency cap at `now`: a campaign whose cap item is full gets
 * `frequency_capped` (offers and held-out records alike, and listed on
 * campaigns that fail other checks too). A campaign with a cap and no item
 * has used no slot.
 */
export function applyCaps<C extends OfferCampaign, F extends MatchedFence>(
  planned: readonly PlannedDecision<C, F>[],
  caps: ReadonlyMap<string, CapState> | undefined,
  now: Date,
): PlannedDecision<C, F>[] {
  const nowMs = now.getTime();
  return planned.map((d) => {
    const cap = d.campaign.frequencyCap;
    if (!cap || !isCapFull(caps?.get(d.campaign.id), cap, nowMs)) return d;
    const reason: Reason = {
      code: 'frequency_capped',
      message: `The shopper has already had ${cap.maxOffers} offer(s) of this campaign in the last ${cap.perHours} h.`,
      detail: { maxOffers: cap.maxOffers, perHours: cap.perHours },
    };
    return decisionOf(d.campaign, [...d.reasons, reason].sort(reasonOrder), d.match);
  });
}

/** Personalises each offer: the profile's first name, the store and partner names given, and the distance to the fence's anchor. */
export function renderOffers<C extends OfferCampaign, F extends MatchedFence>(
  planned: readonly PlannedDecision<C, F>[],
  input: Pick<OfferDecisionInput<C, F>, 'profile' | 'location' | 'storeNames' | 'partnerNames'>,
): CampaignDecision<C, F>[] {
  return planned.map((d) => (d.decision === 'offer' ? { ...d, offer: offerContent(input, d.campaign, d.match) } : d));
}

function offerContent(
  input: Pick<OfferDecisionInput<OfferCampaign, MatchedFence>, 'profile' | 'location' | 'storeNames' | 'partnerNames'>,
  c: OfferCampaign,
  match: MatchedFence,
): OfferContent {
  const storeId = match.fence.storeId;
  const text = renderOfferText(c.offer, {
    firstName: input.profile.firstName,
    storeName: storeId ? input.storeNames?.get(storeId) : undefined,
    partnerName: c.partnerId ? input.partnerNames?.get(c.partnerId) : undefined,
    distanceM: match.fence.anchor
      ? Math.round(haversineM(match.fence.anchor.lat, match.fence.anchor.lng, input.location.lat, input.location.lng))
      : undefined,
  });
  return {
    title: text.title,
    body: text.body,
    code: c.offer.code ?? null,
    geofenceId: match.fence.id,
    storeId,
    partnerId: c.partnerId ?? null,
    confidence: match.confidence,
  };
}

/**
 * The decision after a conditional write refused it: the hot path decides
 * first, then writes the frequency-cap slot (offers and held-out records) and
 * spends the budget (offers); a refused cap write (the cap filled under a
 * concurrent request) gives `frequency_capped`, a refused budget ADD
 * `budget_exhausted`. The campaign is then `not_eligible`, with that reason
 * added to the ones it had.
 */
export function refuseAfterWrite<C extends OfferCampaign, F extends MatchedFence>(
  d: CampaignDecision<C, F>,
  code: 'frequency_capped' | 'budget_exhausted',
): CampaignDecision<C, F> {
  if (d.decision === 'not_eligible' || d.reasons.some((r) => r.code === code)) return d;
  const cap = d.campaign.frequencyCap;
  const reason: Reason =
    code === 'frequency_capped'
      ? {
          code,
          message: 'The frequency cap filled before this offer could take its slot.',
          ...(cap ? { detail: { maxOffers: cap.maxOffers, perHours: cap.perHours } } : {}),
        }
      : {
          code,
          message: 'The budget ran out before this offer could spend it.',
          ...(d.campaign.budget ? { detail: { maxOffers: d.campaign.budget.maxOffers } } : {}),
        };
  return { decision: 'not_eligible', campaign: d.campaign, match: d.match, reasons: [...d.reasons, reason].sort(reasonOrder) };
}
