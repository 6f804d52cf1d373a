import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { DomainError, notFound, payloadTooLarge } from '../../shared/platform/errors.js';
import { MAX_BODY_BYTES } from '../../shared/http/pipeline/parse.js';
import { requestIdOf } from '../../shared/http/pipeline/request-id.js';
import { problemResponse, toHttpError } from '../../shared/http/pipeline/respond.js';
import type { FunctionName, RouteDef } from '../../shared/http/route.js';
import { routes } from '../../shared/http/routes.js';
import { log } from '../../shared/platform/log.js';

type ProxyHandler = (event: APIGatewayProxyEvent, ctx: Context) => Promise<APIGatewayProxyResult>;

interface CompiledRoute {
  route: RouteDef;
  re: RegExp;
  names: string[];
}

function compile(r: RouteDef): CompiledRoute {
  const names: string[] = [];
  const pattern = r.path
    .split(/\{(\w+)\}/)
    .map((part, i) => {
      if (i % 2) {
        names.push(part);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { route: r, re: new RegExp(`^${pattern}$`), names };
}

/** Literal segments win over parameters, as in API Gateway (`/v1/geofences/lookup` before `/{id}`). */
const compiled = (routes as readonly RouteDef[]).map(compile).sort((a, b) => a.names.length - b.names.length);

export function lambdaContext(name: string, requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: http.ServerResponse, result: APIGatewayProxyResult) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  headers['Content-Length'] = String(body.length);
  res.writeHead(result.statusCode, headers);
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      reject(payloadTooLarge(MAX_BODY_BYTES));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(payloadTooLarge(MAX_BODY_BYTES));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !failed && resolve(size ? Buffer.concat(chunks).toString('utf8') : null));
    req.on('error', reject);
  });
}

export interface GatewayDeps {
  handlers: Record<FunctionName, ProxyHandler>;
}

/**
 * The local stand-in for API Gateway (HTTP API, payload format 1.0, no
 * authorizer): the same route table and the same handlers, with the event
 * shape API Gateway sends (its own request id in `requestContext.requestId`,
 * the client's X-Request-Id among the headers) and a Lambda context per
 * invocation. It only routes: keys, rate limits and their 401/429/503 are the
 * functions' own (shared/auth/authorize.ts), as on AWS. Unknown routes are 404
 * problem+json. The functions log their own access line; the gateway logs one
 * only for what it answers itself.
 */
/**
 * Requests handled at once; the rest wait their turn in arrival order. On AWS
 * each Lambda container serves one request at a time and a burst is spread
 * over many containers (and many DynamoDB servers); locally one process and
 * one DynamoDB Local serve everything, and letting hundreds of requests at
 * them at once only makes every call slower (past the SDK's timeouts). The
 * request deadline starts when a request's turn comes, as a Lambda
 * invocation's does. LOCAL_CONCURRENCY sets it.
 */
export const LOCAL_CONCURRENCY = Math.max(1, Number(process.env.LOCAL_CONCURRENCY) || 16);

export function createGateway(deps: GatewayDeps): http.Server {
  let running = 0;
  const waiting: (() => void)[] = [];
  const turn = (): Promise<void> => {
    if (running < LOCAL_CONCURRENCY) {
      running++;
      return Promise.resolve();
    }
    return new Promise<void>((r) => waiting.push(r));
  };
  const done = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return http.createServer((req, res) => {
    const started = Date.now();
    const gatewayId = randomUUID();
    // The id the functions use too (shared/http/pipeline/request-id.ts): the client's when valid.
    const requestId = requestIdOf(req.headers as Record<string, string | undefined>, gatewayId);
    turn()
      .then(() => handle(req, res, deps, { started, gatewayId, requestId }))
      .catch((err) => {
        // A bug here is a 500 with a correlation id (logged with the error), as in the functions
        // (respond.ts): 503 tells a client to retry, and is only for a dependency that is down.
        const error = toHttpError(err, requestId);
        if (res.headersSent) res.destroy();
        else send(res, problemResponse(error, requestId));
        log('info', 'request', { requestId, method: req.method, status: error.status, ms: Date.now() - started });
      })
      .finally(done);
  });
}

/**
 * The single- and multi-value maps of an event (headers, query string) from
 * name/value pairs, as API Gateway's JSON makes them: every name an own data
 * property, `__proto__`, `constructor` or `toString` as plain as any other
 * (collected in Maps, then defined with Object.fromEntries, never assigned),
 * so no name reaches or replaces Object.prototype. The last value of a name
 * wins in the single-value map.
 */
export function eventMaps(pairs: Iterable<[string, string]>): [Record<string, string>, Record<string, string[]>] {
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    single.set(k, v);
    const all = multi.get(k);
    if (all) all.push(v);
    else multi.set(k, [v]);
  }
  return [Object.fromEntries(single), Object.fromEntries(multi)];
}

/** The client's address, as API Gateway reports it (IPv4-mapped IPv6 as the IPv4 address). */
export const sourceIpOf = (req: http.IncomingMessage): string =>
  (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: GatewayDeps,
  { started, gatewayId, requestId }: { started: number; gatewayId: string; requestId: string },
) {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  /** An answer of the gateway itself (no function ran): the problem response and its access line. */
  const answer = (error: DomainError, route?: string) => {
    const result = problemResponse(error, requestId);
    send(res, result);
    log('info', 'request', { requestId, method, route, status: result.statusCode, ms: Date.now() - started });
  };
  let match: { route: RouteDef; params: Record<string, string> } | undefined;
  for (const c of compiled) {
    if (c.route.method !== method) continue;
    const m = c.re.exec(url.pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]);
      } catch {
        params[n] = m[i + 1];
      }
    });
    match = { route: c.route, params };
    break;
  }
  if (!match) {
    req.resume();
    return answer(notFound('Route'));
  }

  let body: string | null;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof DomainError) return answer(err, match.route.path);
    throw err;
  }

  const rawHeaders: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const [headers, multiValueHeaders] = eventMaps(rawHeaders);
  const [query, multiQuery] = eventMaps(url.searchParams);
  const hasQuery = Object.keys(query).length > 0;
  const hasParams = Object.keys(match.params).length > 0;
  // As an HTTP API's $default stage sends it in payload format 1.0 (no stage in the path, no authorizer).
  const requestContext = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: req.headers.host ?? 'localhost',
    httpMethod: method,
    path: url.pathname,
    protocol: `HTTP/${req.httpVersion}`,
    requestId: gatewayId,
    requestTimeEpoch: started,
    resourceId: `${method} ${match.route.path}`,
    resourcePath: match.route.path,
    stage: '$default',
    // The client's address, where payload format 1.0 puts it (the functions limit unknown keys by it).
    identity: { sourceIp: sourceIpOf(req), userAgent: req.headers['user-agent'] ?? null },
  } as unknown as APIGatewayProxyEvent['requestContext'];

  const event: APIGatewayProxyEvent = {
    resource: match.route.path,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: hasParams ? match.params : null,
    stageVariables: null,
    requestContext,
    body,
    isBase64Encoded: false,
  };
  const handler = deps.handlers[match.route.fn];
  send(res, await handler(event, lambdaContext(match.route.fn, randomUUID())));
}
