import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { authorize } from '../../auth/authorize.js';
import type { Principal } from '../../auth/principal.js';
import { notFound } from '../../platform/errors.js';
import { msLeftFor, withDeadline, withRequestDeadline } from '../../platform/deadline.js';
import { withLogContext } from '../../platform/log.js';
import { type Authenticate, authorizeRoute, identify, type Identity, sourceOf } from './authorize.js';
import { idempotencyKeyOf, runIdempotent } from './idempotency.js';
import { observeRequest } from './observe.js';
import { lowerHeaders, parseJsonBody, refuseOversizedBody, storableNumbers } from './parse.js';
import { requestIdOf } from './request-id.js';
import { problemResponse, successResponse, toHttpError } from './respond.js';
import type { Reply, Request, RouteImpl } from './types.js';
import { validateBody, validatePathIds, validateQuery } from './validate.js';
import type { FunctionName, RouteDef } from '../route.js';
import { routes, type RoutesOf } from '../routes.js';

export type Handlers<F extends FunctionName> = {
  [K in RoutesOf<F>['id']]: (req: Request<Extract<RoutesOf<F>, { id: K }>>) => Promise<Reply>;
};

const requestIdOfEvent = (event: APIGatewayProxyEvent | undefined) =>
  requestIdOf(event?.headers, event?.requestContext?.requestId ?? 'unknown');

export interface LambdaOptions {
  /** Replaces `authorize()` (tests). */
  authenticate?: Authenticate;
  /** The X-Ray middleware recording the handler's subsegment, first in the chain (shared/http/pipeline/xray.ts). */
  trace?: MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;
}

/** Who sent each event, decided before its pipeline runs (so that its log lines carry the tenant). */
const identities = new WeakMap<APIGatewayProxyEvent, Identity>();
/** The event's principal (undefined on a public route); a refused key throws its refusal here, inside the pipeline. */
const principalOf = (event: APIGatewayProxyEvent): Principal | undefined => {
  const identity = identities.get(event);
  if (identity && 'refusal' in identity) throw identity.refusal;
  return identity?.principal;
};

/** One request of a route: authorize, validate, run the handler (under its Idempotency-Key when sent), respond. */
async function serve(route: RouteDef, impl: RouteImpl, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const requestId = requestIdOfEvent(event);
  const headers = lowerHeaders(event.headers);
  const principal = principalOf(event);
  authorizeRoute(route, principal);
  const params = validatePathIds(route, event.pathParameters);
  let body: unknown;
  if (route.body) body = storableNumbers(validateBody(route.body, parseJsonBody(event, headers)));
  else refuseOversizedBody(event.body);
  const query = route.query ? validateQuery(route.query, event.queryStringParameters) : undefined;

  const req: Request = {
    body: body as never,
    query: query as never,
    params,
    principal: principal as Principal,
    headers,
    requestId,
  };
  const respond = (reply: Reply) => successResponse(reply, route, requestId);
  const idemKey = principal ? idempotencyKeyOf(route, headers) : undefined;
  if (idemKey === undefined || !principal) return respond(await impl(req));
  return runIdempotent({
    principal,
    idemKey,
    routeId: route.id,
    body,
    requestId,
    run: (idempotency) => impl({ ...req, idempotency }),
    respond,
  });
}

/**
 * Build the Lambda entry of one function from the route table: it serves the
 * routes whose `fn` is this function, matching API Gateway's `resource` and
 * method. Every request runs the same pipeline (shared/http/pipeline): its own
 * logger (request id, tenant, Lambda context), the X-Ray handler subsegment
 * when `options.trace` is given (shared/http/lambda.ts gives it), auth, body
 * limits, JSON parsing, zod validation, idempotency, one deadline (a 503
 * when the request has not answered by then), the access line and metrics,
 * and every error as problem+json.
 * Authorization runs in the function: `authorize()` on the request's headers
 * for every route that needs a key (`options.authenticate` replaces it in
 * tests), under the request's deadline, before the log context is made.
 *
 * This module does not load the X-Ray SDK: the offers function (the hot path)
 * is built with it directly, every other API function with shared/http/lambda.ts
 * (see shared/platform/tracer.ts).
 */
export function lambda<F extends FunctionName>(fn: F, impls: Handlers<NoInfer<F>>, options: LambdaOptions = {}) {
  const authenticate: Authenticate = options.authenticate ?? ((headers, source) => authorize(headers, Date.now, source));
  const table = new Map<string, { route: RouteDef; impl: RouteImpl }>();
  for (const r of routes as readonly RouteDef[]) {
    if (r.fn !== fn) continue;
    const impl = (impls as Record<string, RouteImpl>)[r.id];
    if (!impl) throw new Error(`No implementation for route ${r.id}`);
    table.set(`${r.method} ${r.path}`, { route: r, impl });
  }
  const pipeline = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(async (event: APIGatewayProxyEvent, context: Context) => {
    const entry = table.get(`${event.httpMethod} ${event.resource}`);
    if (!entry) throw notFound('Route');
    // One deadline per request, within the invocation's remaining time: past it, a 503 (respond.ts).
    return withRequestDeadline(event, context, requestIdOfEvent(event), () => serve(entry.route, entry.impl, event));
  })
    .use(options.trace ? [options.trace] : [])
    .use(observeRequest())
    .onError(async (request) => {
      const requestId = requestIdOfEvent(request.event);
      request.response = problemResponse(toHttpError(request.error, requestId), requestId);
    });
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const requestId = requestIdOfEvent(event);
    const route = event ? table.get(`${event.httpMethod} ${event.resource}`)?.route : undefined;
    // Under the request's one deadline: a key read that hangs answers 503 then, as the handler would.
    // The client's address (the gateway's sourceIp) limits unknown keys per source.
    const identity = await identify(
      route,
      event?.headers,
      (headers, source) => withDeadline(msLeftFor(event, context), requestId, () => authenticate(headers, source)),
      sourceOf(event),
    );
    if (event) identities.set(event, identity);
    const tenantId = 'principal' in identity ? identity.principal?.tenantId || undefined : undefined;
    return withLogContext(context, { requestId, tenantId }, () => pipeline(event, context as Context));
  };
}
