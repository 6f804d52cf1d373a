import { describe, expect, it } from 'vitest';
import { PoisonMessage, offerMessageBody, parseOfferMessage } from '../../../shared/delivery/messages.js';

const base = { type: 'offer.created', tenantId: 't_1', shopperId: 's_1', offerId: 'o_1' } as const;

function poison(body: string) {
  try {
    parseOfferMessage(body);
  } catch (err) {
    expect(err).toBeInstanceOf(PoisonMessage);
    return (err as Error).message;
  }
  return undefined;
}

describe('offer queue message', () => {
  it('parses an offer message, with or without a request id', () => {
    expect(parseOfferMessage(JSON.stringify(base))).toEqual(base);
    const withId = { ...base, requestId: 'c0ffee-12.ab_CD' };
    expect(parseOfferMessage(JSON.stringify(withId))).toEqual(withId);
  });

  it('keeps a request id of 128 characters', () => {
    const requestId = 'a'.repeat(128);
    expect(parseOfferMessage(JSON.stringify({ ...base, requestId })).requestId).toBe(requestId);
  });

  it('drops an oversized or malformed request id and still delivers the offer', () => {
    for (const requestId of ['a'.repeat(129), '', 'has space', 'new\nline', 'ünï', 42, null, { id: 'x' }]) {
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

  it('writes a body the parser reads back, leaving out an invalid request id', () => {
    expect(JSON.parse(offerMessageBody({ ...base, requestId: 'req-1' }))).toEqual({ ...base, requestId: 'req-1' });
    expect(JSON.parse(offerMessageBody({ ...base, requestId: 'x'.repeat(200) }))).toEqual(base);
    expect(JSON.parse(offerMessageBody({ ...base, requestId: undefined }))).toEqual(base);
    expect(parseOfferMessage(offerMessageBody({ ...base, requestId: 'req-1' }))).toEqual({ ...base, requestId: 'req-1' });
  });
});
