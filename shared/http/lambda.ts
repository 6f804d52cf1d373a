import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type Principal, principalFromContext } from '../auth/principal.js';
import { notFound } from '../platform/errors.js';
import { withLogContext } from '../platform/log.js';
import { HANDLER_TRACE_OPTIONS, tracer } from '../platform/tracer.js';
import { authorizeRoute } from './pipeline/authorize.js';
import { idempotencyKeyOf, runIdempotent } from './pipeline/idempotency.js';
import { observeRequest } from './pipeline/observe.js';
import { lowerHeaders, parseJsonBody, refuseOversizedBody, storableNumbers } from './pipeline/parse.js';
import { requestIdOf } from './pipeline/request-id.js';
import { problemResponse, successResponse, toHttpError } from './pipeline/respond.js';
import type { Reply, Request, RouteImpl } from './pipeline/types.js';
import { validateBody, validatePathIds, validateQuery } from './pipeline/validate.js';
import type { FunctionName, RouteDef } from './route.js';
import { routes, type RoutesOf } from './routes.js';

export type Handlers<F extends FunctionName> = {
  [K in RoutesOf<F>['id']]: (req: Request<Extract<RoutesOf<F>, { id: K }>>) => Promise<Reply>;
};

const requestIdOfEvent = (event: APIGatewayProxyEvent | undefined) =>
  requestIdOf(event?.headers, event?.requestContext?.requestId ?? 'unknown');
const principalOf = (event: APIGatewayProxyEvent | undefined) =>
  principalFromContext(event?.requestContext?.authorizer as Record<string, unknown> | undefined);

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
  return runIdempotent({ principal, idemKey, routeId: route.id, body, requestId, run: () => impl(req), respond });
}

/**
 * Build the Lambda entry of one function from the route table: it serves the
 * routes whose `fn` is this function, matching API Gateway's `resource` and
 * method. Every request runs the same pipeline (shared/http/pipeline): its own
 * logger (request id, tenant, Lambda context), a trace segment, auth, body
 * limits, JSON parsing, zod validation, idempotency, the access line and
 * metrics, and every error as problem+json.
 */
export function lambda<F extends FunctionName>(fn: F, impls: Handlers<NoInfer<F>>) {
  const table = new Map<string, { route: RouteDef; impl: RouteImpl }>();
  for (const r of routes as readonly RouteDef[]) {
    if (r.fn !== fn) continue;
    const impl = (impls as Record<string, RouteImpl>)[r.id];
    if (!impl) throw new Error(`No implementation for route ${r.id}`);
    table.set(`${r.method} ${r.path}`, { route: r, impl });
  }
  const pipeline = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(async (event: APIGatewayProxyEvent) => {
    const entry = table.get(`${event.httpMethod} ${event.resource}`);
    if (!entry) throw notFound('Route');
    return serve(entry.route, entry.impl, event);
  })
    .use(captureLambdaHandler(tracer, HANDLER_TRACE_OPTIONS))
    .use(observeRequest())
    .onError(async (request) => {
      const requestId = requestIdOfEvent(request.event);
      request.response = problemResponse(toHttpError(request.error, requestId), requestId);
    });
  return (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> =>
    withLogContext(context, { requestId: requestIdOfEvent(event), tenantId: principalOf(event)?.tenantId || undefined }, () =>
      pipeline(event, context as Context),
    );
}
