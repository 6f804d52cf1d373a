import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventMaps, sourceIpOf } from '../../../../infra/local/gateway.js';

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

describe('the event maps of the local gateway', () => {
  it('keeps names of Object.prototype as plain own data, as API Gateway JSON does', () => {
    const [single, multi] = eventMaps(PROTO_NAMES.map((n, i) => [n, `v${i}`] as [string, string]));
    expect(Object.keys(single)).toEqual(PROTO_NAMES);
    PROTO_NAMES.forEach((n, i) => {
      expect(Object.getOwnPropertyDescriptor(single, n)?.value).toBe(`v${i}`);
      expect(Object.getOwnPropertyDescriptor(multi, n)?.value).toEqual([`v${i}`]);
    });
    // Nothing reached a prototype: the maps are ordinary objects and Object.prototype is untouched.
    expect(Object.getPrototypeOf(single)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(multi)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).v0).toBeUndefined();
    expect(typeof Object.prototype.toString).toBe('function');
    // As JSON, the way a Lambda receives them.
    expect(JSON.parse(JSON.stringify(single))).toEqual(single);
  });

  it('keeps every value of a repeated name in the multi-value map and the last in the single one', () => {
    const [single, multi] = eventMaps([
      ['x', '1'],
      ['constructor', 'a'],
      ['x', '2'],
      ['constructor', 'b'],
    ]);
    expect(single).toEqual({ x: '2', constructor: 'b' });
    expect(multi).toEqual({ x: ['1', '2'], constructor: ['a', 'b'] });
  });

  it('maps no pairs to empty maps', () => {
    expect(eventMaps([])).toEqual([{}, {}]);
  });
});

describe('the source address the gateway reports', () => {
  const from = (remoteAddress: string | undefined) =>
    sourceIpOf({ socket: { remoteAddress } } as unknown as http.IncomingMessage);

  it('is the socket peer, IPv4-mapped IPv6 written as IPv4', () => {
    expect(from('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(from('127.0.0.1')).toBe('127.0.0.1');
    expect(from('2001:db8::1')).toBe('2001:db8::1');
    expect(from('::1')).toBe('::1');
    expect(from(undefined)).toBe('127.0.0.1');
  });
});
