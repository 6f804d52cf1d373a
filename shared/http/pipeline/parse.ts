import { badRequest, payloadTooLarge, unprocessable, unsupportedMediaType } from '../../platform/errors.js';

/** Largest request body a function accepts (API Gateway's own limit is far higher). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Header names lower-cased; absent values dropped. */
export function lowerHeaders(h: Record<string, string | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** The body as API Gateway hands it over: text, or base64 of the bytes. */
export interface RawBody {
  body: string | null | undefined;
  isBase64Encoded?: boolean;
}

/**
 * The JSON body, or undefined when there is none. 413 over MAX_BODY_BYTES, 400
 * (unsupported media type) unless it is `application/json` or `application/*+json`,
 * 400 when it is not JSON, 422 when it holds a `__proto__` field.
 */
export function parseJsonBody(event: RawBody, headers: Record<string, string>): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type))
    throw unsupportedMediaType('Send the body as application/json.');
  let protoKey = false;
  let parsed: unknown;
  try {
    // "__proto__" would be dropped silently by object handling downstream: refuse it instead.
    parsed = JSON.parse(raw, (key, value) => {
      if (key === '__proto__') protoKey = true;
      return value;
    });
  } catch {
    throw badRequest('The body is not valid JSON.');
  }
  if (protoKey) throw unprocessable([{ path: '(body)', message: '"__proto__" is not allowed as a field name.' }]);
  return parsed;
}

/** A route without a body still refuses an oversized one (413), unread. */
export function refuseOversizedBody(body: string | null | undefined): void {
  if (body && Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
}

/**
 * DynamoDB numbers span 1e-130 to 1e126: a tiny non-zero JSON number (1e-300)
 * would be refused by the table (a 500), so such values are stored as 0 — far
 * below any meaningful precision — and huge ones are a 422 naming the field.
 */
export function storableNumbers(value: unknown, path = ''): unknown {
  if (typeof value === 'number') {
    if (value !== 0 && Math.abs(value) < 1e-100) return 0;
    if (Math.abs(value) > 1e100) throw unprocessable([{ path: path || '(root)', message: 'Number too large.' }]);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => storableNumbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storableNumbers(v, path ? `${path}.${k}` : k)]));
  return value;
}
