import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { getConfig } from './config.js';
import { requestSignal } from './deadline.js';
import { tracer } from './tracer.js';

/**
 * The AWS clients, created once per process (module scope, reused across
 * Lambda invocations). Locally only the endpoints differ. Tests may pass
 * their own clients with setClients (e.g. to count requests with middleware).
 * On AWS each SDK call is an X-Ray subsegment, except in the offers function (shared/platform/tracer.ts).
 *
 * Every call is bounded: a dependency that stops answering costs at most
 * SDK_MAX_ATTEMPTS × (SDK_CONNECTION_TIMEOUT_MS + SDK_REQUEST_TIMEOUT_MS) plus
 * the SDK's short retry backoff, and inside an API request no more than what
 * is left of its deadline (deadline.ts).
 */

/**
 * Time to get a connection: opening the TCP (and TLS) connection, or waiting for a free one of the pool. In-region a
 * connection opens in milliseconds; the bound is loose because the local stack, serving every request of a machine
 * from one process, can have hundreds of calls waiting for a socket at once. The request deadline (deadline.ts)
 * bounds a request whatever this is.
 */
export const SDK_CONNECTION_TIMEOUT_MS = 5_000;
/**
 * Time from sending a request to its response headers, connection included.
 * DynamoDB and SQS answer in milliseconds (tens for a transaction): 3 s is a
 * hung server, and two attempts still fit in a request's deadline.
 */
export const SDK_REQUEST_TIMEOUT_MS = 3_000;
/** A response that stalls this long between bytes (after its headers) is dead too. */
export const SDK_SOCKET_TIMEOUT_MS = 3_000;
/** Attempts per call (first try and retries) on throttling, 5xx and timeouts. */
export const SDK_MAX_ATTEMPTS = 3;
/**
 * Connections kept open per client and reused across requests and invocations (keep-alive). A Lambda container
 * serves one request at a time and uses a handful; the local stack serves every request from one process, and a
 * call waiting for a free socket counts against the connection timeout, so the pool is large.
 */
export const SDK_MAX_SOCKETS = 512;

/**
 * The SDK's Node HTTP handler, with our timeouts, and the current request's
 * deadline signal on every HTTP request that a caller did not give a signal of
 * its own: past the deadline nothing more is sent, and a request in flight is
 * cut (the SDK does not retry an abort).
 */
class DeadlineBoundHttpHandler extends NodeHttpHandler {
  override handle(...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const abortSignal = options?.abortSignal ?? requestSignal();
    return super.handle(request, abortSignal ? { ...options, abortSignal } : options);
  }
}

/** The HTTP handler of one client: timeouts that throw (the SDK only warns on requestTimeout unless told), keep-alive. */
export function makeRequestHandler(): NodeHttpHandler {
  const agent = { keepAlive: true, maxSockets: SDK_MAX_SOCKETS };
  return new DeadlineBoundHttpHandler({
    connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
    requestTimeout: SDK_REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    socketTimeout: SDK_SOCKET_TIMEOUT_MS,
    httpAgent: agent,
    httpsAgent: agent,
  });
}

let ddb: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function makeDynamoClient(endpoint?: string, region = getConfig().region): DynamoDBDocumentClient {
  const base = tracer.captureAWSv3Client(
    new DynamoDBClient({
      region,
      ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
      maxAttempts: SDK_MAX_ATTEMPTS,
      requestHandler: makeRequestHandler(),
    }),
  );
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function makeSqsClient(endpoint?: string, region = getConfig().region): SQSClient {
  return tracer.captureAWSv3Client(
    new SQSClient({
      region,
      ...(endpoint ? { endpoint, credentials: localCredentials, useQueueUrlAsEndpoint: false } : {}),
      maxAttempts: SDK_MAX_ATTEMPTS,
      requestHandler: makeRequestHandler(),
    }),
  );
}

export function getDdb(): DynamoDBDocumentClient {
  ddb ??= makeDynamoClient(getConfig().dynamoEndpoint);
  return ddb;
}

export function getSqs(): SQSClient {
  sqs ??= makeSqsClient(getConfig().sqsEndpoint);
  return sqs;
}

export function setClients(c: { ddb?: DynamoDBDocumentClient; sqs?: SQSClient }): void {
  if (c.ddb) ddb = c.ddb;
  if (c.sqs) sqs = c.sqs;
}
