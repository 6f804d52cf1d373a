import * as z from 'zod';
import { REQUEST_ID, validRequestId } from '../platform/ids.js';

/**
 * The offers queue message: identifiers only (no coordinates, no profile).
 * `requestId` is the id of the offer request that made the offer, so that the
 * delivery's log lines can be joined to the request's.
 */
export const OfferMessageSchema = z
  .object({
    type: z.literal('offer.created'),
    tenantId: z.string().min(1),
    shopperId: z.string().min(1),
    offerId: z.string().min(1),
    requestId: z.string().regex(REQUEST_ID).optional(),
  })
  .strict();
export type OfferMessage = z.infer<typeof OfferMessageSchema>;

/** A message that can never be delivered (not JSON, not an offer message): it goes to the DLQ at once. */
export class PoisonMessage extends Error {}

/** The queue body of an offer message; an invalid request id is left out. */
export function offerMessageBody(m: OfferMessage): string {
  const { requestId, ...rest } = m;
  const id = validRequestId(requestId);
  return JSON.stringify(id ? { ...rest, requestId: id } : rest);
}

/**
 * Parse a queue body into an offer message. Throws PoisonMessage when it is
 * not JSON or not an offer message; a malformed or oversized `requestId` is
 * dropped rather than poisoning an otherwise deliverable offer.
 */
export function parseOfferMessage(body: string): OfferMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PoisonMessage('body is not JSON');
  }
  if (parsed && typeof parsed === 'object' && 'requestId' in parsed && !validRequestId(parsed.requestId)) {
    const { requestId: _dropped, ...rest } = parsed;
    parsed = rest;
  }
  const msg = OfferMessageSchema.safeParse(parsed);
  if (!msg.success) throw new PoisonMessage('not an offer message');
  return msg.data;
}
