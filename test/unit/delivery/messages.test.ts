import type { SQSMessageAttributes } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  PoisonMessage,
  deliveryMessageBody,
  offerMessageAttributes,
  offerMessageBody,
  parseDeliveryMessage,
  resendAttributes,
  visitEventMessageBody,
} from '../../../shared/delivery/messages.js';

const base = { type: 'offer.created', tenantId: 't_1', shopperId: 's_1', offerId: 'o_1' } as const;

/** The strict message schema of the previous build's consumer: a body it rejects is poison to it. */
const PreviousBuildSchema = z
  .object({
    type: z.literal('offer.created'),
    tenantId: z.string().min(1),
    shopperId: z.string().min(1),
    offerId: z.string().min(1),
  })
  .strict();

/** Message attributes as Lambda's SQS event hands them over. */
function lambdaAttributes(requestId: unknown): SQSMessageAttributes {
  return {
    requestId: { stringValue: requestId as string, stringListValues: [], binaryListValues: [], dataType: 'String' },
  };
}

function poison(body: string) {
  try {
    parseDeliveryMessage(body);
  } catch (err) {
    expect(err).toBeInstanceOf(PoisonMessage);
    return (err as Error).message;
  }
  return undefined;
}

const invalidIds = ['a'.repeat(129), '', 'has space', 'new\nline', 'ünï', 42, null, { id: 'x' }];

describe('offer queue message', () => {
  it('parses an offer message with no request id', () => {
    const msg = parseDeliveryMessage(JSON.stringify(base));
    expect(msg).toEqual(base);
    expect('requestId' in msg).toBe(false);
    expect(parseDeliveryMessage(JSON.stringify(base), {})).toEqual(base);
  });

  it('takes the request id from the requestId message attribute', () => {
    expect(parseDeliveryMessage(JSON.stringify(base), lambdaAttributes('c0ffee-12.ab_CD'))).toEqual({
      ...base,
      requestId: 'c0ffee-12.ab_CD',
    });
  });

  it('keeps a request id attribute of 128 characters', () => {
    const requestId = 'a'.repeat(128);
    expect(parseDeliveryMessage(JSON.stringify(base), lambdaAttributes(requestId)).requestId).toBe(requestId);
  });

  it('drops an oversized or malformed request id attribute and still delivers the offer', () => {
    for (const requestId of invalidIds) {
      const msg = parseDeliveryMessage(JSON.stringify(base), lambdaAttributes(requestId));
      expect(msg).toEqual(base);
      expect('requestId' in msg).toBe(false);
    }
    const binary: SQSMessageAttributes = {
      requestId: { binaryValue: 'cmVxLTE=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    };
    expect(parseDeliveryMessage(JSON.stringify(base), binary)).toEqual(base);
  });

  it('still reads a request id in the body, as the previous build queued it', () => {
    const withId = { ...base, requestId: 'c0ffee-12.ab_CD' };
    expect(parseDeliveryMessage(JSON.stringify(withId))).toEqual(withId);
    expect(parseDeliveryMessage(JSON.stringify(withId), lambdaAttributes('from-attribute'))).toEqual({
      ...base,
      requestId: 'from-attribute',
    });
    expect(parseDeliveryMessage(JSON.stringify(withId), lambdaAttributes('has space'))).toEqual(withId);
  });

  it('drops an oversized or malformed request id in the body and still delivers the offer', () => {
    for (const requestId of invalidIds) {
      const msg = parseDeliveryMessage(JSON.stringify({ ...base, requestId }));
      expect(msg).toEqual(base);
      expect('requestId' in msg).toBe(false);
    }
  });

  it('calls a body that is not JSON or not a delivery message poison', () => {
    expect(poison('{"type":"offer.created","offerId":42')).toBe('body is not JSON');
    expect(poison('')).toBe('body is not JSON');
    expect(poison(JSON.stringify({ ...base, type: 'offer.updated' }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...base, offerId: 42 }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...base, offerId: '' }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...base, lat: 40.4 }))).toBe('not a delivery message');
    expect(poison('null')).toBe('not a delivery message');
    expect(poison('[1]')).toBe('not a delivery message');
  });

  it("writes a body of exactly the four fields, which the previous build's strict schema accepts", () => {
    const withExtra = { ...base, requestId: 'req-1', lat: 40.4 } as typeof base;
    for (const m of [base, withExtra]) {
      const body = JSON.parse(offerMessageBody(m));
      expect(Object.keys(body).sort()).toEqual(['offerId', 'shopperId', 'tenantId', 'type']);
      expect(PreviousBuildSchema.parse(body)).toEqual(base);
    }
  });

  it('carries a request id of the allowed form as a String attribute, and leaves out any other', () => {
    expect(offerMessageAttributes('req-1')).toEqual({ requestId: { DataType: 'String', StringValue: 'req-1' } });
    for (const requestId of ['x'.repeat(129), '', 'has space', undefined])
      expect(offerMessageAttributes(requestId)).toBeUndefined();
  });

  it('reads back what it writes, once SQS has handed the attributes over in the Lambda shape', () => {
    const attrs = offerMessageAttributes('req-1')!;
    const received: SQSMessageAttributes = Object.fromEntries(
      Object.entries(attrs).map(([name, a]) => [
        name,
        { stringValue: a.StringValue, stringListValues: [], binaryListValues: [], dataType: a.DataType! },
      ]),
    );
    expect(parseDeliveryMessage(offerMessageBody(base), received)).toEqual({ ...base, requestId: 'req-1' });
  });

  it('turns received attributes back into the SendMessage shape for a re-send', () => {
    const received: SQSMessageAttributes = {
      ...lambdaAttributes('req-1'),
      blob: {
        binaryValue: Buffer.from([1, 2, 3]).toString('base64'),
        stringListValues: [],
        binaryListValues: [],
        dataType: 'Binary',
      },
      count: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      empty: { stringListValues: [], binaryListValues: [], dataType: 'String' },
    };
    expect(resendAttributes(received)).toEqual({
      requestId: { DataType: 'String', StringValue: 'req-1' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
      count: { DataType: 'Number', StringValue: '3' },
    });
    expect(resendAttributes(undefined)).toEqual({});
  });
});

describe('geofence event queue message', () => {
  const event = { type: 'geofence.dwelled', tenantId: 't_1', shopperId: 's_1', eventId: 'evt_1' } as const;

  it('parses an event message of each type, beside the offer messages of the previous build', () => {
    for (const type of ['geofence.entered', 'geofence.exited', 'geofence.dwelled'] as const)
      expect(parseDeliveryMessage(JSON.stringify({ ...event, type }))).toEqual({ ...event, type });
    expect(parseDeliveryMessage(JSON.stringify(base))).toEqual(base);
    expect(parseDeliveryMessage(JSON.stringify(event), lambdaAttributes('req-9'))).toEqual({ ...event, requestId: 'req-9' });
  });

  it('calls an event message with another field, a missing id or an unknown type poison', () => {
    expect(poison(JSON.stringify({ ...event, lat: 40.4 }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...event, requestId: 'r-1' }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...event, eventId: '' }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...event, type: 'geofence.lingered' }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...event, type: 'offer.created' }))).toBe('not a delivery message');
    expect(poison(JSON.stringify({ ...base, eventId: 'evt_1' }))).toBe('not a delivery message');
  });

  it('writes a body of exactly its four identifiers, and reads it back', () => {
    const body = visitEventMessageBody({ ...event, geofenceId: 'g_1', lat: 1 } as typeof event);
    expect(Object.keys(JSON.parse(body)).sort()).toEqual(['eventId', 'shopperId', 'tenantId', 'type']);
    expect(parseDeliveryMessage(body)).toEqual(event);
    expect(deliveryMessageBody(event)).toBe(body);
    expect(deliveryMessageBody(base)).toBe(offerMessageBody(base));
  });
});
