import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionName } from '../../shared/http/route.js';
import { functionNames } from '../../shared/http/routes.js';

/**
 * Import every Lambda entry the route table names, plus the delivery consumer, the table's stream consumer and
 * the retention sweep (infra/aws/functions.ts `lambdaNames()`).
 */
export async function loadFunctions() {
  const http = {} as Record<FunctionName, (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>>;
  for (const fn of functionNames()) http[fn] = (await import(`../../functions/${fn}.ts`)).handler;
  const deliver = (await import('../../functions/deliver.js')).handler;
  const stream = (await import('../../functions/stream.js')).handler;
  const retention = (await import('../../functions/retention.js')).handler;
  return { http, deliver, stream, retention };
}
