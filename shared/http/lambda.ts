import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { principalFromContext, type Principal } from '../auth/principal.js';
import { errorFields, log } from '../platform/log.js';
import { abandonIdempotent, beginIdempotent, completeIdempotent } from '../store/idempotency.js';
import {
  type DomainError,
  badRequest,
  conflict,
  forbidden,
  isDependencyUnavailable,
  notFound,
  payloadTooLarge,
  unauthorized,
  unavailable,
  unprocessable,
  unsupportedMediaType,
} from '../platform/errors.js';
import { HttpError, exposedHttpError, fromDomainError, internal } from './errors.js';
import type { FunctionName, RouteDef } from './route.js';
import { routes, type RoutesOf } from './routes.js';
import { zodIssues } from './zod-issues.js';
import { IdSchema } from './schemas.js';

export const MAX_BODY_BYTES = 256 * 1024;
const MAX_IDEMPOTENCY_KEY = 255;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Request<R extends RouteDef = RouteDef> {
  body: Out<R['body']>;
  query: Out<R['query']>;
  params: Record<string, string>;
  principal: Principal;
  headers: Record<string, string>;
  requestId: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Keep nothing of this request (not even its idempotency record): e.g. a shopper without consent. */
  noStore?: boolean;
  /** The shopper this response is about: its idempotency record is then erased with the shopper. */
  shopperId?: string;
}

export type Handlers<F extends FunctionName> = {
  [K in RoutesOf<F>['id']]: (req: Request<Extract<RoutesOf<F>, { id: K }>>) => Promise<Reply>;
};

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function problemResponse(error: HttpError | DomainError, requestId?: string): APIGatewayProxyResult {
  const err = error instanceof HttpError ? error : fromDomainError(error);
  return {
    statusCode: err.status,
    headers: { 'Content-Type': 'application/problem+json', ...(requestId ? { 'X-Request-Id': requestId } : {}), ...err.headers },
    body: JSON.stringify(err.toProblem()),
  };
}

/** Any thrown value → problem+json; unknown errors become a fixed 500 with a correlation id, dependencies a 503. */
export function toHttpError(err: unknown, requestId: string): HttpError {
  const exposed = exposedHttpError(err);
  if (exposed) return exposed;
  if (isDependencyUnavailable(err)) {
    log('warn', 'dependency unavailable', { requestId, ...errorFields(err) });
    return fromDomainError(unavailable(1));
  }
  log('error', 'unhandled error', { requestId, ...errorFields(err) });
  return internal(requestId);
}

function lowerHeaders(h: Record<string, string | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

function parseBody(event: APIGatewayProxyEvent, headers: Record<string, string>): unknown {
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

function checkAuth(route: RouteDef, principal: Principal | undefined): void {
  if (route.auth === 'none') return;
  if (!principal) throw unauthorized();
  if (route.auth === 'operator') {
    if (principal.kind !== 'operator') throw forbidden('Only the operator key may do this.');
    return;
  }
  // The operator key exists to create tenants; it can read no tenant data.
  if (principal.kind === 'operator' || !principal.tenantId) throw forbidden('The operator key cannot access tenant data.');
  if (principal.kind === 'publishable' && route.auth !== 'offers:write' && route.auth !== 'offers:redeem')
    throw forbidden('Publishable keys may only request and redeem offers.');
  if (!principal.scopes.includes(route.auth)) throw forbidden(`This key lacks the scope ${route.auth}.`);
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
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, storableNumbers(v, path ? `${path}.${k}` : k)]),
    );
  return value;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

function respond(reply: Reply, route: RouteDef, requestId: string): APIGatewayProxyResult {
  const status = reply.status ?? route.successStatus ?? 200;
  return {
    statusCode: status,
    headers: { ...(reply.body === undefined ? {} : JSON_HEADERS), 'X-Request-Id': requestId, ...reply.headers },
    body: reply.body === undefined ? '' : JSON.stringify(reply.body),
  };
}

async function dispatch(
  route: RouteDef,
  impl: (req: Request) => Promise<Reply>,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const headers = lowerHeaders(event.headers);
  const principal = principalFromContext(event.requestContext?.authorizer as Record<string, unknown> | undefined);
  checkAuth(route, principal);

  // Path ids: the same shape as every id we issue; anything else cannot exist (404),
  // except where the caller names a new resource (PUT), which is a 422.
  const params = (event.pathParameters ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(params))
    if (!IdSchema.safeParse(value).success)
      throw route.method === 'PUT' ? unprocessable([{ path: name, message: 'Use 1-128 letters, digits, _ . : -' }]) : notFound();

  let body: unknown;
  if (route.body) {
    let raw = parseBody(event, headers);
    // No body at all is an empty object for routes whose fields are all optional (e.g. redeem).
    if (raw === undefined && route.body.safeParse({}).success) raw = {};
    const parsed = route.body.safeParse(raw);
    if (!parsed.success) throw unprocessable(zodIssues(parsed.error, raw === undefined ? 'body' : ''));
    body = storableNumbers(parsed.data);
  } else if (event.body && Buffer.byteLength(event.body, 'utf8') > MAX_BODY_BYTES) {
    throw payloadTooLarge(MAX_BODY_BYTES);
  }

  let query: unknown;
  if (route.query) {
    const parsed = route.query.safeParse(event.queryStringParameters ?? {});
    if (!parsed.success) throw unprocessable(zodIssues(parsed.error));
    query = parsed.data;
  }

  const req: Request = {
    body: body as never,
    query: query as never,
    params,
    principal: principal as Principal,
    headers,
    requestId,
  };

  const idemKey = route.idempotent ? headers['idempotency-key'] : undefined;
  if (idemKey === undefined || !principal) return respond(await impl(req), route, requestId);

  if (idemKey.length === 0 || idemKey.length > MAX_IDEMPOTENCY_KEY)
    throw unprocessable([{ path: 'Idempotency-Key', message: `Must be 1-${MAX_IDEMPOTENCY_KEY} characters.` }]);
  const fingerprint = createHash('sha256').update(`${route.id}\n${canonical(body)}`).digest('hex');
  const begun = await beginIdempotent(principal.tenantId, principal.keyId, idemKey, fingerprint);
  if (begun.state === 'replay')
    return { ...begun.response, headers: { ...begun.response.headers, 'Idempotent-Replayed': 'true' } };
  if (begun.state === 'in_flight')
    throw conflict('idempotency-in-flight', 'A request with this Idempotency-Key is still in progress.');
  if (begun.state === 'mismatch')
    throw conflict('idempotency-key-reused', 'This Idempotency-Key was used with a different request body.');

  let result: APIGatewayProxyResult;
  let reply: Reply;
  try {
    reply = await impl(req);
    result = respond(reply, route, requestId);
  } catch (err) {
    const httpErr = toHttpError(err, requestId);
    if (httpErr.status >= 500 || httpErr.status === 429 || httpErr.status === 409) {
      // Retryable or racing: forget the claim so the client's retry can run.
      await abandonIdempotent(principal.tenantId, principal.keyId, idemKey).catch(() => undefined);
    } else {
      await completeIdempotent(principal.tenantId, principal.keyId, idemKey, problemResponse(httpErr, requestId) as never);
    }
    throw httpErr;
  }
  if (reply.noStore) {
    await abandonIdempotent(principal.tenantId, principal.keyId, idemKey);
    return result;
  }
  await completeIdempotent(
    principal.tenantId,
    principal.keyId,
    idemKey,
    { statusCode: result.statusCode, headers: (result.headers ?? {}) as Record<string, string>, body: result.body },
    reply.shopperId,
  );
  return result;
}

/**
 * Build the Lambda entry of one function from the route table: it serves the
 * routes whose `fn` is this function, matching API Gateway's `resource` and
 * method, and runs auth, body limits, JSON parsing, zod validation,
 * idempotency and error mapping the same way for all of them.
 */
export function lambda<F extends FunctionName>(fn: F, impls: Handlers<NoInfer<F>>) {
  const table = new Map<string, { route: RouteDef; impl: (req: Request) => Promise<Reply> }>();
  for (const r of routes as readonly RouteDef[]) {
    if (r.fn !== fn) continue;
    const impl = (impls as Record<string, (req: Request) => Promise<Reply>>)[r.id];
    if (!impl) throw new Error(`No implementation for route ${r.id}`);
    table.set(`${r.method} ${r.path}`, { route: r, impl });
  }
  const core = async (event: APIGatewayProxyEvent, _ctx?: Context): Promise<APIGatewayProxyResult> => {
    const entry = table.get(`${event.httpMethod} ${event.resource}`);
    if (!entry) throw notFound('Route');
    return dispatch(entry.route, entry.impl, event);
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(core).onError(async (request) => {
    const requestId = request.event?.requestContext?.requestId ?? 'unknown';
    request.response = problemResponse(toHttpError(request.error, requestId), requestId);
  });
}
