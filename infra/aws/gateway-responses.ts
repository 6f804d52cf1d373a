import { ResponseType } from 'aws-cdk-lib/aws-apigateway';
import { type HttpError, fromDomainError } from '../../shared/http/errors.js';
import {
  type DomainError,
  badRequest,
  forbidden,
  notFound,
  payloadTooLarge,
  tooManyRequests,
  unauthorized,
  unavailable,
  unsupportedMediaType,
} from '../../shared/platform/errors.js';

/** API Gateway rejects request payloads over 10 MB before any function runs (the functions' own limit is 256 KiB). */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface GatewayError {
  type: ResponseType;
  error: DomainError;
  /** Why API Gateway answers this itself, in this project. */
  when: string;
}

/**
 * The errors API Gateway answers on its own, before or instead of a function.
 * Each is built from the domain errors (shared/platform/errors.ts), mapped by shared/http/errors.ts, so the
 * problem `type`, `title`, `status` and `Retry-After` match what the functions
 * send. Every 4XX type API Gateway has is listed, so DEFAULT_4XX (whose status
 * would otherwise apply to all unlisted 4XX types) only catches future ones.
 */
export const GATEWAY_ERRORS: GatewayError[] = [
  {
    type: ResponseType.UNAUTHORIZED,
    error: unauthorized(),
    when: 'the authorizer threw "Unauthorized": missing, malformed, unknown, expired or revoked key',
  },
  {
    type: ResponseType.ACCESS_DENIED,
    error: tooManyRequests(1),
    when: 'the authorizer returned Deny, which it does only when the key is over its rate limit',
  },
  {
    type: ResponseType.AUTHORIZER_FAILURE,
    error: unavailable(1),
    when: 'the authorizer threw another error (DynamoDB unavailable)',
  },
  {
    type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    error: unavailable(1),
    when: 'the authorizer could not be invoked or returned an invalid policy',
  },
  {
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    error: notFound('Route'),
    when: 'no resource or method matches the request (API Gateway words it as a missing token)',
  },
  { type: ResponseType.RESOURCE_NOT_FOUND, error: notFound('Resource'), when: 'API Gateway found no resource' },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    error: payloadTooLarge(API_GATEWAY_MAX_PAYLOAD_BYTES),
    when: "the request exceeds API Gateway's payload limit",
  },
  {
    type: ResponseType.THROTTLED,
    error: tooManyRequests(1, 'The API is receiving too many requests; retry shortly.'),
    when: 'the stage-wide throttle (the whole-API safety ceiling) was exceeded',
  },
  {
    type: ResponseType.QUOTA_EXCEEDED,
    error: tooManyRequests(1),
    when: 'a usage-plan quota was exceeded (no usage plans are attached; listed for completeness)',
  },
  {
    type: ResponseType.BAD_REQUEST_BODY,
    error: badRequest('The request body is invalid.'),
    when: 'a request validator rejected the body',
  },
  {
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    error: badRequest('The request parameters are invalid.'),
    when: 'a request validator rejected the parameters',
  },
  {
    type: ResponseType.UNSUPPORTED_MEDIA_TYPE,
    error: unsupportedMediaType('Send the body as application/json.'),
    when: 'API Gateway could not handle the content type',
  },
  {
    type: ResponseType.INVALID_API_KEY,
    error: unauthorized(),
    when: 'an API Gateway API key was invalid (not used: keys are checked by the authorizer)',
  },
  { type: ResponseType.EXPIRED_TOKEN, error: unauthorized(), when: 'an AWS signature token expired (IAM auth is not used)' },
  { type: ResponseType.INVALID_SIGNATURE, error: unauthorized(), when: 'an AWS signature was invalid (IAM auth is not used)' },
  { type: ResponseType.WAF_FILTERED, error: forbidden('The request was blocked.'), when: 'a web ACL blocked the request' },
  {
    type: ResponseType.DEFAULT_4XX,
    error: badRequest('The request could not be processed.'),
    when: 'any 4XX response type not listed above',
  },
  {
    type: ResponseType.DEFAULT_5XX,
    error: unavailable(1),
    when: 'integration failure or timeout, throttled function, API configuration error: all retryable',
  },
];

/**
 * The problem+json body as a gateway-response template. Templates are Velocity:
 * the body must hold no `$` or `#`, or API Gateway would evaluate them.
 */
export function problemTemplate(domainError: DomainError): string {
  const error: HttpError = fromDomainError(domainError);
  const body = JSON.stringify(error.toProblem());
  if (/[$#]/.test(body)) throw new Error(`Gateway response body for ${error.status} contains a Velocity character: ${body}`);
  return body;
}

/** Gateway-response header values are literals in single quotes. */
export function problemHeaders(domainError: DomainError): Record<string, string> {
  const error: HttpError = fromDomainError(domainError);
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', ...error.headers };
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, `'${v}'`]));
}
