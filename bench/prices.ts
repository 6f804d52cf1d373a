/**
 * AWS list prices used to turn measured units into dollars, us-east-1.
 *
 * Date: 2024-11-01, the date of the most recent change among them (DynamoDB
 * on-demand throughput prices were halved that day); the others were
 * unchanged since. Tiered prices are the first tier (what a deployment below
 * hundreds of millions of requests a month pays). Free tiers are ignored.
 */
export const PRICES = {
  asOf: '2024-11-01',
  region: 'us-east-1',
  apiGateway: {
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    /** HTTP API, per million requests (first 300 million a month; each 512 KB of a request is one request). */
    httpApiPerMillion: 1.0,
    /** REST API, per million requests (first 333 million a month), for comparison. */
    restApiPerMillion: 3.5,
  },
  lambda: {
    source: 'https://aws.amazon.com/lambda/pricing/',
    /** arm64 (Graviton), per GB-second (first 7.5 billion GB-s a month); duration is billed rounded up to 1 ms. */
    arm64PerGbSecond: 0.0000133334,
    /** Per million invocations. */
    requestsPerMillion: 0.2,
  },
  dynamodb: {
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    /** On-demand, per million write request units (1 KB per unit; transactional: 2 units per KB of each item). */
    writePerMillion: 0.625,
    /** On-demand, per million read request units (4 KB strongly consistent; 0.5 eventually consistent; transactional: 2). */
    readPerMillion: 0.125,
    /** Reads of a table's stream by a Lambda trigger: free. */
    streamsReadByLambda: 0,
  },
  sqs: {
    source: 'https://aws.amazon.com/sqs/pricing/',
    /** Standard queue, per million requests; every 64 KB chunk of a request's payload is one request. */
    standardPerMillion: 0.4,
  },
} as const;

/** DynamoDB request units as AWS bills them. */
export interface BilledUnits {
  rru: number;
  wru: number;
}

/** One metered call (see test/support/ddb-meter.ts). */
export interface MeteredCall {
  command: string;
  items: number;
  rcu: number;
  wcu: number;
  refused: boolean;
}

/**
 * AWS's billing rules applied to calls as DynamoDB Local reported them:
 * - plain calls: the units reported (DynamoDB Local sizes items as AWS does);
 * - TransactWriteItems / TransactGetItems: 2 units per item and KB. DynamoDB
 *   Local reports about 1 unit per KB of the whole transaction, so the billed
 *   units are 2 × max(items, reported units): exact for items up to 1 KB
 *   (writes) / 4 KB (reads), a lower bound for larger ones;
 * - a write refused by its condition reports nothing but is billed: 1 unit
 *   (an item up to 1 KB), and a cancelled transaction 2 per item.
 */
export function billedUnits(calls: readonly MeteredCall[]): BilledUnits {
  let rru = 0;
  let wru = 0;
  for (const c of calls) {
    if (c.command === 'TransactWriteItems') wru += 2 * Math.max(c.items, c.wcu);
    else if (c.command === 'TransactGetItems') rru += 2 * Math.max(c.items, c.rcu);
    else if (c.refused) wru += Math.max(1, c.wcu);
    else {
      rru += c.rcu;
      wru += c.wcu;
    }
  }
  return { rru, wru };
}

/** Dollars for DynamoDB units. */
export const dynamoDollars = (u: BilledUnits) =>
  (u.rru * PRICES.dynamodb.readPerMillion + u.wru * PRICES.dynamodb.writePerMillion) / 1e6;

/** Dollars for Lambda invocations of a given mean duration (ms, billed rounded up to 1 ms) and memory (MB). */
export function lambdaDollars(invocations: number, meanMs: number, memoryMb: number) {
  const gbSeconds = invocations * (Math.ceil(meanMs) / 1000) * (memoryMb / 1024);
  return {
    gbSeconds,
    dollars: (invocations * PRICES.lambda.requestsPerMillion) / 1e6 + gbSeconds * PRICES.lambda.arm64PerGbSecond,
  };
}

/** Dollars for SQS requests (each up to 64 KB). */
export const sqsDollars = (requests: number) => (requests * PRICES.sqs.standardPerMillion) / 1e6;
