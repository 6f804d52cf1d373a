/**
 * Domain errors: what went wrong, in the application's words. They carry no
 * HTTP status; `shared/http/errors.ts` is the one place that maps each kind
 * to a status and a problem+json body (in the spirit of Middy's
 * `expose`: only these errors are shown to a caller, anything else is a 500
 * with a correlation id).
 */

export interface FieldError {
  path: string;
  message: string;
}

export type ErrorKind =
  | 'bad_request'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'validation'
  | 'rate_limited'
  | 'unavailable';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: ErrorKind;
  /** Stable machine-readable code (the last part of the problem `type`). */
  readonly code: string;
  readonly errors?: FieldError[];
  /** Seconds the caller should wait before retrying (rate limits, unavailable dependencies). */
  readonly retryAfterS?: number;

  constructor(kind: ErrorKind, code: string, detail: string, opts: { errors?: FieldError[]; retryAfterS?: number } = {}) {
    super(detail);
    this.kind = kind;
    this.code = code;
    this.errors = opts.errors;
    this.retryAfterS = opts.retryAfterS;
  }
}

export const badRequest = (detail: string) => new DomainError('bad_request', 'bad-request', detail);
export const unsupportedMediaType = (detail: string) =>
  new DomainError('unsupported_media_type', 'unsupported-media-type', detail);
export const unauthorized = (detail = 'A valid API key is required.') => new DomainError('unauthorized', 'unauthorized', detail);
export const forbidden = (detail: string) => new DomainError('forbidden', 'forbidden', detail);
export const notFound = (what = 'Resource') => new DomainError('not_found', 'not-found', `${what} not found.`);
export const conflict = (code: string, detail: string) => new DomainError('conflict', code, detail);
export const gone = (detail: string) => new DomainError('gone', 'gone', detail);
export const payloadTooLarge = (limit: number) =>
  new DomainError('payload_too_large', 'payload-too-large', `The request body exceeds ${limit} bytes.`);
export const unprocessable = (errors: FieldError[], detail = 'The request failed validation.') =>
  new DomainError('validation', 'validation-failed', detail, { errors });
export const tooManyRequests = (retryAfterS: number, detail = 'Rate limit exceeded for this key.') =>
  new DomainError('rate_limited', 'rate-limited', detail, { retryAfterS: Math.max(1, Math.ceil(retryAfterS)) });
export const unavailable = (retryAfterS = 1) =>
  new DomainError('unavailable', 'unavailable', 'A dependency is temporarily unavailable; nothing was written. Retry later.', {
    retryAfterS,
  });

/** True for SDK errors that mean "a dependency is unavailable" (throttling, network, 5xx). */
export function isDependencyUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (!e || typeof e !== 'object') return false;
  if (e instanceof DomainError) return e.kind === 'unavailable';
  const name = e.name ?? '';
  if (
    /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable|InternalServerError|TimeoutError|RequestTimeout|OverLimit/.test(
      name,
    )
  )
    return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code ?? '')) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}
