import { type Handlers, lambda } from '../shared/http/pipeline/entry.js';
import { count } from '../shared/platform/metrics.js';
import { type OfferOutcome, offerShopperId, requestOffers } from '../shared/services/offers.js';
import { recordConversion, redeem } from '../shared/services/redemption.js';

/** The metrics of one offer request: the fences its point matched, the offers it made, the campaigns that held the shopper out. */
function countOutcome({ result, heldOut }: OfferOutcome): void {
  count('FencesMatched', result.geofences.length);
  count('OffersMade', result.offers.length);
  count('HeldOut', heldOut);
}

/** The offers function's routes (exported so tests can run them behind another key decision). */
export const offerHandlers: Handlers<'offers'> = {
  requestOffers: async ({ principal, body, requestId, idempotency }) => {
    count('OffersRequested');
    // The body's, or with a publishable key the Shopper-Token's (401 without one, 403 for another shopper).
    const shopperId = offerShopperId(principal, body.shopperId);
    // With an Idempotency-Key, its record is completed in the offers' own transaction.
    const outcome = await requestOffers(principal, body, {
      requestId,
      ...(idempotency ? { commitExtras: (result) => idempotency.itemsFor({ body: result, shopperId }) } : {}),
    });
    countOutcome(outcome);
    const { result, stored, committedExtras } = outcome;
    // Without consent nothing about the request is kept, not even its idempotency record.
    return { body: result, noStore: !stored, shopperId, idempotencyWritten: committedExtras };
  },
  redeemOffer: async ({ principal, params, body }) => ({ body: await redeem(principal, params.id, body) }),
  recordConversion: async ({ principal, body }) => ({
    status: 201,
    body: await recordConversion(principal, body),
    shopperId: body.shopperId,
  }),
};

export const handler = lambda('offers', offerHandlers);
