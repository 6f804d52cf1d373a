/**
 * Dollars per million requests, from measured units: API Gateway requests,
 * Lambda invocations × measured duration × deployed memory, DynamoDB request
 * units (AWS's billing rules applied to what the meter read), SQS requests,
 * and for offers the background work each one causes (stream consumer,
 * delivery).
 */
import { billedUnits, dynamoDollars, lambdaDollars, PRICES, sqsDollars } from './prices.js';
import { mean, num } from './report.js';
import type { Invocation, SqsCounts } from './stack.js';

/** One measured HTTP request: its invocations and how many offers it made. */
export interface MeasuredRequest {
  invocations: Invocation[];
  offers: number;
}

/** Background work measured over a window, and the offers it served. */
export interface BackgroundSample {
  invocations: Invocation[];
  /** SQS requests of the window as billed (empty long polls left out), minus those the HTTP requests made. */
  sqsRequests: number;
  offers: number;
}

export interface CostLine {
  component: string;
  measured: string;
  arithmetic: string;
  perMillion: number;
}

export interface CostReport {
  label: string;
  lines: CostLine[];
  total: number;
}

const perMillion = (dollarsPerRequest: number) => dollarsPerRequest * 1e6;

/** Lambda and DynamoDB lines for a set of invocations, per unit of `per` (requests or offers). */
function invocationLines(invs: Invocation[], per: number, what: string, scale = 1): CostLine[] {
  const lines: CostLine[] = [];
  const byFn = new Map<string, Invocation[]>();
  for (const i of invs) byFn.set(i.fn, [...(byFn.get(i.fn) ?? []), i]);
  for (const [fn, list] of byFn) {
    const perUnit = (list.length / per) * scale;
    const ms = mean(list.map((i) => i.ms));
    const memory = list[0].memoryMb;
    const { gbSeconds, dollars } = lambdaDollars(perUnit, ms, memory);
    lines.push({
      component: `Lambda \`${fn}\`${what}`,
      measured: `${num(perUnit, 3)} invocations × ${num(ms, 1)} ms mean × ${memory} MB`,
      arithmetic: `${num(perUnit, 3)} × $${PRICES.lambda.requestsPerMillion}/M + ${gbSeconds.toExponential(3)} GB-s × $${PRICES.lambda.arm64PerGbSecond}`,
      perMillion: perMillion(dollars),
    });
  }
  const units = billedUnits(invs.flatMap((i) => i.ddb.log));
  const u = { rru: (units.rru / per) * scale, wru: (units.wru / per) * scale };
  const calls = invs.reduce((a, i) => a + i.ddb.calls, 0);
  lines.push({
    component: `DynamoDB${what}`,
    measured: `${num((calls / per) * scale, 2)} calls: ${num(u.rru, 2)} RRU + ${num(u.wru, 2)} WRU (transactional items ×2)`,
    arithmetic: `${num(u.rru, 2)} × $${PRICES.dynamodb.readPerMillion}/M + ${num(u.wru, 2)} × $${PRICES.dynamodb.writePerMillion}/M`,
    perMillion: perMillion(dynamoDollars(u)),
  });
  return lines;
}

/**
 * The all-in cost of one kind of request (e.g. "no offer"), per million:
 * the gateway, the request's own invocations, and for requests that made
 * offers the background work of their offers (measured per offer).
 */
export function requestCost(
  label: string,
  requests: MeasuredRequest[],
  background: BackgroundSample | undefined,
  api: 'http' | 'rest' = 'http',
): CostReport {
  const n = requests.length;
  const lines: CostLine[] = [];
  const apiPrice = api === 'http' ? PRICES.apiGateway.httpApiPerMillion : PRICES.apiGateway.restApiPerMillion;
  lines.push({
    component: `API Gateway (${api === 'http' ? 'HTTP API' : 'REST API'})`,
    measured: '1 request',
    arithmetic: `1 × $${apiPrice.toFixed(2)}/M`,
    perMillion: apiPrice,
  });
  const invs = requests.flatMap((r) => r.invocations);
  if (n) lines.push(...invocationLines(invs, n, ''));
  const sqsCalls = n ? invs.reduce((a, i) => a + i.sqs.calls, 0) / n : 0;
  if (sqsCalls > 0)
    lines.push({
      component: 'SQS (during the request)',
      measured: `${num(sqsCalls, 3)} requests`,
      arithmetic: `${num(sqsCalls, 3)} × $${PRICES.sqs.standardPerMillion}/M`,
      perMillion: perMillion(sqsDollars(sqsCalls)),
    });
  const offersPerRequest = n ? requests.reduce((a, r) => a + r.offers, 0) / n : 0;
  if (background && offersPerRequest > 0 && background.offers > 0) {
    const scale = offersPerRequest;
    const what = ` (background, × ${num(scale, 2)} offers/request)`;
    lines.push(...invocationLines(background.invocations, background.offers, what, scale));
    const sqs = (background.sqsRequests / background.offers) * scale;
    lines.push({
      component: `SQS${what}`,
      measured: `${num(sqs, 3)} requests (send, receive, delete; empty polls excluded)`,
      arithmetic: `${num(sqs, 3)} × $${PRICES.sqs.standardPerMillion}/M`,
      perMillion: perMillion(sqsDollars(sqs)),
    });
    lines.push({
      component: `DynamoDB Streams reads${what}`,
      measured: 'GetRecords by the Lambda trigger',
      arithmetic: 'free',
      perMillion: 0,
    });
  }
  return { label, lines, total: lines.reduce((a, l) => a + l.perMillion, 0) };
}

/** SQS requests between two counts, as billed (empty receives left out). */
export function billedSqs(before: SqsCounts, after: SqsCounts): number {
  const d = (k: keyof SqsCounts) => after[k] - before[k];
  return d('sends') + d('receivesWithMessages') + d('deletes') + d('visibilityChanges') + d('other');
}
