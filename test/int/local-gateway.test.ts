import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../infra/local/gateway.js';
import type { FunctionName } from '../../shared/http/route.js';
import { functionNames } from '../../shared/http/routes.js';

/**
 * The local gateway itself, in this process, in front of stand-in functions
 * (no stack): the event it hands over, and what it answers when a function
 * fails in a way the function did not answer itself.
 */

type Behaviour = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
let behaviour: Behaviour = async () => ({ statusCode: 200, body: '{}' });
const events: APIGatewayProxyEvent[] = [];

const handlers = Object.fromEntries(
  functionNames().map((fn) => [
    fn,
    async (event: APIGatewayProxyEvent) => {
      events.push(event);
      return behaviour(event);
    },
  ]),
) as Record<FunctionName, (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>>;

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = createGateway({ handlers });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A raw HTTP request: header names exactly as given, repeated ones too. */
function request(path: string, rawHeaders: [string, string][] = []) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    // Raw headers are sent as given: Host too (HTTP/1.1 needs it).
    const headers = [['Host', `127.0.0.1:${port}`], ...rawHeaders].flat();
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: headers as never }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

describe('the local gateway', () => {
  it('hands names of Object.prototype over as plain headers and query parameters, and the socket address as sourceIp', async () => {
    behaviour = async () => ({ statusCode: 200, body: '{"ok":true}' });
    events.length = 0;
    const query = PROTO_NAMES.map((n, i) => `${encodeURIComponent(n)}=${i}`).join('&');
    const res = await request(`/v1/keys?${query}&constructor=again`, [
      ...PROTO_NAMES.map((n, i) => [n, `h${i}`] as [string, string]),
      ['toString', 'twice'],
    ]);
    expect(res.status).toBe(200);
    const [event] = events;
    for (const [i, n] of PROTO_NAMES.entries()) {
      expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, n)?.value).toBe(
        n === 'constructor' ? 'again' : String(i),
      );
      expect(Object.hasOwn(event.headers, n)).toBe(true);
    }
    expect(event.multiValueQueryStringParameters?.constructor).toEqual(['1', 'again']);
    expect(event.multiValueHeaders.toString).toEqual(['h2', 'twice']);
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
    expect((event.requestContext as unknown as { identity: { sourceIp: string } }).identity.sourceIp).toBe('127.0.0.1');
  });

  it('answers a failure no function answered with 500 problem+json and a correlation id, never 503', async () => {
    behaviour = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    };
    const res = await request('/health', [['X-Request-Id', 'gw-bug-1']]);
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toBe('gw-bug-1');
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.body).toMatchObject({ status: 500, type: expect.stringMatching(/internal$/) });
    expect(res.body.detail).toMatch(/^Unexpected error\. Correlation id: gw-bug-1\.[0-9a-f]{8}\.$/);
    expect(JSON.stringify(res.body)).not.toContain('reading');
  });

  it('keeps 503 with Retry-After for a dependency that is down', async () => {
    behaviour = async () => {
      throw Object.assign(new Error('injected'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    };
    const res = await request('/health');
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    behaviour = async () => ({ statusCode: 200, body: '{}' });
  });
});
