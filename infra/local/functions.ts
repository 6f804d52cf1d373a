import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionName } from '../../shared/http/route.js';
import { functionNames } from '../../shared/http/routes.js';

/** Import every Lambda entry the route table names, plus the delivery consumer and the table's stream consumer. */
export async function loadFunctions() {
  const http = {} as Record<FunctionName, (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>>;
  for (const fn of functionNames()) http[fn] = (await import(`../../functions/${fn}.ts`)).handler;
  const deliver = (await import('../../functions/deliver.js')).handler;
  const stream = (await import('../../functions/stream.js')).handler;
  return { http, deliver, stream };
}
