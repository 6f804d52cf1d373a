import type { SQSMessageAttributes } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  PoisonMessage,
  offerMessageAttributes,
  offerMessageBody,
  parseOfferMessage,
  resendAttributes,
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
    parseOfferMessage(body);
  } catch (err) {
    expect(err).toBeInstanceOf(PoisonMessage);
    return (err as Error).message;
  }
  return undefined;
}

const invalidIds = ['a'.repeat(129), '', 'has space', 'new\nline', 'ünï', 42, null, { id: 'x' }];

describe('offer queue message', () => {
  it('parses an offer message with no request id', () => {
    const msg = parseOfferMessage(JSON.stringify(base));
    expect(msg).toEqual(base);
    expect('requestId' in msg).toBe(false);
    expect(parseOfferMessage(JSON.stringify(base), {})).toEqual(base);
  });

  it('takes the request id from the requestId message attribute', () => {
    expect(parseOfferMessage(JSON.stringify(base), lambdaAttributes('c0ffee-12.ab_CD'))).toEqual({
      ...base,
      requestId: 'c0ffee-12.ab_CD',
    });
  });

  it('keeps a request id attribute of 128 characters', () => {
    const requestId = 'a'.repeat(128);
    expect(parseOfferMessage(JSON.stringify(base), lambdaAttributes(requestId)).requestId).toBe(requestId);
  });

  it('drops an oversized or malformed request id attribute and still delivers the offer', () => {
    for (const requestId of invalidIds) {
      const msg = parseOfferMessage(JSON.stringify(base), lambdaAttributes(requestId));
      expect(msg).toEqual(base);
      expect('requestId' in msg).toBe(false);
    }
    const binary: SQSMessageAttributes = {
      requestId: { binaryValue: 'cmVxLTE=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    };
    expect(parseOfferMessage(JSON.stringify(base), binary)).toEqual(base);
  });

  it('still reads a request id in the body, as the previous build queued it', () => {
    const withId = { ...base, requestId: 'c0ffee-12.ab_CD' };
    expect(parseOfferMessage(JSON.stringify(withId))).toEqual(withId);
    expect(parseOfferMessage(JSON.stringify(withId), lambdaAttributes('from-attribute'))).toEqual({
      ...base,
      requestId: 'from-attribute',
    });
    expect(parseOfferMessage(JSON.stringify(withId), lambdaAttributes('has space'))).toEqual(withId);
  });

  it('drops an oversized or malformed request id in the body and still delivers the offer', () => {
    for (const requestId of invalidIds) {
      const msg = parseOfferMessage(JSON.stringify({ ...base, requestId }));
      expect(msg).toEqual(base);
      expect('requestId' in msg).toBe(false);
    }
  });

  it('calls a body that is not JSON or not an offer message poison', () => {
    expect(poison('{"type":"offer.created","offerId":42')).toBe('body is not JSON');
    expect(poison('')).toBe('body is not JSON');
    expect(poison(JSON.stringify({ ...base, type: 'offer.updated' }))).toBe('not an offer message');
    expect(poison(JSON.stringify({ ...base, offerId: 42 }))).toBe('not an offer message');
    expect(poison(JSON.stringify({ ...base, offerId: '' }))).toBe('not an offer message');
    expect(poison(JSON.stringify({ ...base, lat: 40.4 }))).toBe('not an offer message');
    expect(poison('null')).toBe('not an offer message');
    expect(poison('[1]')).toBe('not an offer message');
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
    expect(parseOfferMessage(offerMessageBody(base), received)).toEqual({ ...base, requestId: 'req-1' });
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
