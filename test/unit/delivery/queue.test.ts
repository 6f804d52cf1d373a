import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { deliveryBatchEntries, dlqAttributes } from '../../../shared/delivery/queue.js';

/** The strict message schema of the previous build's consumer: a body it rejects is poison to it. */
const PreviousBuildSchema = z
  .object({
    type: z.literal('offer.created'),
    tenantId: z.string().min(1),
    shopperId: z.string().min(1),
    offerId: z.string().min(1),
  })
  .strict();

const offers = ['o_1', 'o_2'].map((offerId) => ({ type: 'offer.created', tenantId: 't_1', shopperId: 's_1', offerId }) as const);

describe('queued offers', () => {
  it("have bodies of exactly the four old fields, which the previous build's strict schema accepts", () => {
    for (const requestId of ['req-1', undefined, 'has space']) {
      const entries = deliveryBatchEntries(offers.map((message) => ({ message, requestId })));
      expect(entries.map((e) => e.Id)).toEqual(['0', '1']);
      entries.forEach((e, i) => {
        const body = JSON.parse(e.MessageBody!);
        expect(Object.keys(body).sort()).toEqual(['offerId', 'shopperId', 'tenantId', 'type']);
        expect(PreviousBuildSchema.parse(body)).toEqual(offers[i]);
      });
    }
  });

  it('carry the request id as the requestId String attribute of each message', () => {
    for (const e of deliveryBatchEntries(offers.map((message) => ({ message, requestId: 'trace-to-webhook.42' }))))
      expect(e.MessageAttributes).toEqual({ requestId: { DataType: 'String', StringValue: 'trace-to-webhook.42' } });
  });

  it('sit beside geofence events in one batch, each with its own body and request id', () => {
    const event = { type: 'geofence.entered', tenantId: 't_1', shopperId: 's_1', eventId: 'evt_1' } as const;
    const entries = deliveryBatchEntries([{ message: offers[0], requestId: 'req-1' }, { message: event }]);
    expect(entries.map((e) => [e.Id, JSON.parse(e.MessageBody!), e.MessageAttributes])).toEqual([
      ['0', offers[0], { requestId: { DataType: 'String', StringValue: 'req-1' } }],
      ['1', event, undefined],
    ]);
  });

  it('carry no attributes without a request id of the allowed form', () => {
    for (const requestId of [undefined, '', 'has space', 'x'.repeat(129)])
      for (const e of deliveryBatchEntries(offers.map((message) => ({ message, requestId }))))
        expect('MessageAttributes' in e).toBe(false);
  });
});

describe('a message moved to the DLQ', () => {
  const requestId = { DataType: 'String', StringValue: 'req-1' };

  it('keeps the attributes it came with and adds the reason', () => {
    expect(dlqAttributes('not an offer message', { requestId })).toEqual({
      requestId,
      reason: { DataType: 'String', StringValue: 'not an offer message' },
    });
    expect(dlqAttributes('body is not JSON')).toEqual({ reason: { DataType: 'String', StringValue: 'body is not JSON' } });
  });

  it('has its reason in place of one it came with, and stays within the 10 attributes SQS allows', () => {
    const many: Record<string, MessageAttributeValue> = { reason: { DataType: 'String', StringValue: 'forged' } };
    for (let i = 0; i < 12; i++) many[`a${i}`] = { DataType: 'String', StringValue: String(i) };
    const out = dlqAttributes('x'.repeat(300), many);
    expect(Object.keys(out)).toHaveLength(10);
    expect(out.reason).toEqual({ DataType: 'String', StringValue: 'x'.repeat(200) });
    expect(out.a0).toEqual({ DataType: 'String', StringValue: '0' });
  });
});
