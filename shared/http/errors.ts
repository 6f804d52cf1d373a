/**
 * The one error family of the API. Every error leaves as RFC 9457
 * `application/problem+json`: `{type, title, status, detail, errors?}`.
 */

export interface FieldError {
  path: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const TYPE_BASE = 'https://errors.geo-offers.dev/';

export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    detail: string,
    opts: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = status;
    this.type = `${TYPE_BASE}${slug}`;
    this.title = TITLES[status] ?? 'Error';
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
  }

  toProblem() {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string) => new HttpError(400, 'bad-request', detail);
export const unsupportedMediaType = (detail: string) => new HttpError(400, 'unsupported-media-type', detail);
export const unauthorized = (detail = 'A valid API key is required.') => new HttpError(401, 'unauthorized', detail);
export const forbidden = (detail: string) => new HttpError(403, 'forbidden', detail);
export const notFound = (what = 'Resource') => new HttpError(404, 'not-found', `${what} not found.`);
export const methodNotAllowed = () => new HttpError(405, 'method-not-allowed', 'Method not allowed on this route.');
export const conflict = (slug: string, detail: string) => new HttpError(409, slug, detail);
export const gone = (detail: string) => new HttpError(410, 'gone', detail);
export const payloadTooLarge = (limit: number) =>
  new HttpError(413, 'payload-too-large', `The request body exceeds ${limit} bytes.`);
export const unprocessable = (errors: FieldError[], detail = 'The request failed validation.') =>
  new HttpError(422, 'validation-failed', detail, { errors });
export const tooManyRequests = (retryAfterS: number) =>
  new HttpError(429, 'rate-limited', 'Rate limit exceeded for this key.', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterS))) },
  });
export const unavailable = (retryAfterS = 1) =>
  new HttpError(503, 'unavailable', 'A dependency is temporarily unavailable; nothing was written. Retry later.', {
    headers: { 'Retry-After': String(retryAfterS) },
  });
export const internal = (correlationId: string) =>
  new HttpError(500, 'internal', `Unexpected error. Correlation id: ${correlationId}.`);

/** True for SDK errors that mean "a dependency is unavailable" (throttling, network, 5xx). */
export function isDependencyUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (!e || typeof e !== 'object') return false;
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
