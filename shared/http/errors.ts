import { DomainError, type ErrorKind, type FieldError } from '../platform/errors.js';

/**
 * The one place where errors become HTTP. Every error leaves as RFC 9457
 * `application/problem+json`: `{type, title, status, detail, errors?}`.
 * Domain errors (shared/platform/errors.ts) map to a status by their kind;
 * anything else is a 500 whose detail is a correlation id.
 */

export type { FieldError };

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** HTTP status of each domain error kind. */
export const STATUS_OF: Record<ErrorKind, number> = {
  bad_request: 400,
  unsupported_media_type: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  validation: 422,
  rate_limited: 429,
  unavailable: 503,
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

/** A domain error as the HTTP error a caller sees (status by kind, `Retry-After` when the error names a wait). */
export function fromDomainError(err: DomainError): HttpError {
  return new HttpError(STATUS_OF[err.kind], err.code, err.message, {
    errors: err.errors,
    headers: err.retryAfterS === undefined ? {} : { 'Retry-After': String(err.retryAfterS) },
  });
}

/** Any error that is meant for the caller, as HTTP; undefined for everything else (a bug: 500). */
export function exposedHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return fromDomainError(err);
  return undefined;
}

export const internal = (correlationId: string) =>
  new HttpError(500, 'internal', `Unexpected error. Correlation id: ${correlationId}.`);
