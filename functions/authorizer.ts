import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { authorize } from '../shared/auth/authorize.js';
import { principalToContext } from '../shared/auth/principal.js';
import { requestIdOf } from '../shared/http/pipeline/request-id.js';
import { DomainError } from '../shared/platform/errors.js';
import { errorFields, log, withLogContext } from '../shared/platform/log.js';

/**
 * API Gateway REQUEST authorizer. The decision is `authorize()`, the same
 * module the local gateway runs. Outcomes, as API Gateway maps them:
 * - unknown/revoked/expired key → throw "Unauthorized" → 401 (UNAUTHORIZED gateway response, problem+json);
 * - over the key's rate limit → Deny → 429 (ACCESS_DENIED gateway response, Retry-After);
 * - DynamoDB unavailable → throw → 503 (AUTHORIZER_FAILURE gateway response).
 * Results are not cached (TTL 0): revocation and rate limits act on the next request.
 * Its log lines carry the request's id, as the function's do.
 */
export function handler(event: APIGatewayRequestAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> {
  const requestId = requestIdOf(event.headers, event.requestContext?.requestId ?? 'unknown');
  return withLogContext(context, { requestId }, () => decide(event));
}

async function decide(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    const principal = await authorize(event.headers);
    return policy('Allow', event.methodArn, principal.keyId, principalToContext(principal));
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'unauthorized') throw new Error('Unauthorized');
    if (err instanceof DomainError && err.kind === 'rate_limited')
      return policy('Deny', event.methodArn, 'rate-limited', { retryAfter: String(err.retryAfterS ?? 1) });
    log('error', 'authorizer failure', errorFields(err));
    throw new Error('AuthorizerFailure');
  }
}

function policy(effect: 'Allow' | 'Deny', resource: string, principalId: string, context: Record<string, string>) {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    context,
  };
}
