import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes } from 'aws-lambda';
import * as z from 'zod';
import { VISIT_EVENT_TYPES, type VisitEventType } from '../domain/visits/visits.js';
import { validRequestId } from '../platform/ids.js';

/**
 * The offers queue message body: identifiers only (no coordinates, no
 * profile). Its shape is a contract with the consumer of the previous build,
 * whose schema is just as strict: while a deploy has the new producer and the
 * old consumer side by side, a body with any other field would be poison to
 * it. Anything else that travels with an offer goes in a message attribute.
 */
export const OfferMessageSchema = z
  .object({
    type: z.literal('offer.created'),
    tenantId: z.string().min(1),
    shopperId: z.string().min(1),
    offerId: z.string().min(1),
  })
  .strict();
export type OfferMessage = z.infer<typeof OfferMessageSchema>;

/**
 * The message of a stored geofence event (shared/store/visit-events.ts), on
 * the same queue: identifiers only, the payload is read from the event item.
 * A consumer of a build before geofence events calls it poison (its schema
 * takes offers only): such a message lands in the DLQ, its event stays
 * `pending`, and a redrive delivers it.
 */
export const VisitEventMessageSchema = z
  .object({
    type: z.enum(VISIT_EVENT_TYPES as [VisitEventType, ...VisitEventType[]]),
    tenantId: z.string().min(1),
    shopperId: z.string().min(1),
    eventId: z.string().min(1),
  })
  .strict();
export type VisitEventMessage = z.infer<typeof VisitEventMessageSchema>;

/** Any message of the delivery queue. */
export type DeliveryMessage = OfferMessage | VisitEventMessage;

export const isOfferMessage = (m: DeliveryMessage): m is OfferMessage => m.type === 'offer.created';

/**
 * A message as the consumer reads it: the body, plus `requestId`, the id of
 * the offer request that made the offer (when it came with one of the
 * allowed form), so that the delivery's log lines can be joined to the
 * request's.
 */
export type ReceivedOfferMessage = OfferMessage & { requestId?: string };
export type ReceivedMessage = ReceivedOfferMessage | (VisitEventMessage & { requestId?: string });

/** The message attribute that carries the offer request's id. */
export const REQUEST_ID_ATTRIBUTE = 'requestId';

/**
 * What the consumer accepts as a body: the four fields, and, for messages
 * queued by the build that put the request id in the body, a `requestId`
 * (of any value: a malformed one is dropped, never a reason to poison).
 * Keep this tolerance while such a message can still arrive: one left on the
 * offers queue (4 days' retention) or redriven from the DLQ (14 days).
 */
const ReceivedBodySchema = OfferMessageSchema.extend({ requestId: z.unknown().optional() }).strict();

/** A message that can never be delivered (not JSON, not a delivery message): it goes to the DLQ at once. */
export class PoisonMessage extends Error {}

/** The queue body of an offer message: exactly its four fields, whatever else the object carries. */
export function offerMessageBody(m: OfferMessage): string {
  const body: OfferMessage = { type: m.type, tenantId: m.tenantId, shopperId: m.shopperId, offerId: m.offerId };
  return JSON.stringify(body);
}

/** The queue body of a geofence event message: exactly its four fields. */
export function visitEventMessageBody(m: VisitEventMessage): string {
  const body: VisitEventMessage = { type: m.type, tenantId: m.tenantId, shopperId: m.shopperId, eventId: m.eventId };
  return JSON.stringify(body);
}

/** The queue body of any delivery message: its four identifiers, nothing else. */
export const deliveryMessageBody = (m: DeliveryMessage): string =>
  isOfferMessage(m) ? offerMessageBody(m) : visitEventMessageBody(m);

/** The message attributes of an offer message: the request id, when it is of the allowed form (else none). */
export function offerMessageAttributes(requestId?: string): Record<string, MessageAttributeValue> | undefined {
  const id = validRequestId(requestId);
  return id ? { [REQUEST_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } } : undefined;
}

/**
 * Parse a queue record (its body and its message attributes, in the Lambda
 * event shape) into a delivery message: an offer message (exactly as the
 * previous build wrote and read it) or a geofence event message. Throws
 * PoisonMessage when the body is not JSON or neither. The request id comes
 * from the `requestId` attribute, or else, for an offer, from a `requestId`
 * in the body (messages queued by an earlier build); one that is missing,
 * malformed or oversized is dropped: it never poisons an otherwise
 * deliverable message.
 */
export function parseDeliveryMessage(body: string, attributes?: SQSMessageAttributes): ReceivedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PoisonMessage('body is not JSON');
  }
  const fromAttribute = validRequestId(attributes?.[REQUEST_ID_ATTRIBUTE]?.stringValue);
  const offer = ReceivedBodySchema.safeParse(parsed);
  if (offer.success) {
    const { requestId: legacyId, ...msg } = offer.data;
    const requestId = fromAttribute ?? validRequestId(legacyId);
    return requestId ? { ...msg, requestId } : msg;
  }
  const event = VisitEventMessageSchema.safeParse(parsed);
  if (event.success) return fromAttribute ? { ...event.data, requestId: fromAttribute } : event.data;
  throw new PoisonMessage('not a delivery message');
}

/**
 * A received record's message attributes (Lambda event shape) as SendMessage
 * takes them, for re-sending the message with them (the DLQ move). One with
 * no value (the list types SQS reserves but does not implement) is left out.
 */
export function resendAttributes(attributes: SQSMessageAttributes | undefined): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    if (a.stringValue !== undefined) out[name] = { DataType: a.dataType, StringValue: a.stringValue };
    else if (a.binaryValue !== undefined) out[name] = { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, 'base64') };
  }
  return out;
}
