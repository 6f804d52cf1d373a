/**
 * `npm start`: the API on this machine, on its embedded AWS stack.
 *
 *   PORT               HTTP port on 127.0.0.1 (default 3000; 0 = any free port)
 *   DATA_DIR           where DynamoDB Local keeps its data (default .data/)
 *   DYNAMODB_ENDPOINT  use this DynamoDB-compatible server instead of starting one
 *   SQS_ENDPOINT       use this SQS-compatible server instead of starting one
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startBackends, readOperatorKeyFile, writeOperatorKeyFile } from './stack.js';

const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const tableName = process.env.TABLE_NAME ?? 'geo-offers';

async function main() {
  await mkdir(dataDir, { recursive: true });
  const backends = await startBackends({ dataDir, tableName });

  // The handlers read their configuration from the environment, as on AWS.
  Object.assign(process.env, {
    TABLE_NAME: backends.tableName,
    OFFERS_QUEUE_URL: backends.offersQueueUrl,
    DLQ_URL: backends.dlqUrl,
    DYNAMODB_ENDPOINT: backends.dynamoEndpoint,
    SQS_ENDPOINT: backends.sqsEndpoint,
    LOCAL_MODE: '1',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    DELIVERY_BACKOFF_BASE_S: process.env.DELIVERY_BACKOFF_BASE_S ?? '1',
  });

  const { loadFunctions } = await import('./functions.js');
  const { createGateway } = await import('./gateway.js');
  const { startPoller } = await import('./poller.js');
  const { ensureOperatorKey } = await import('./operator.js');
  const { getSqs } = await import('../../shared/platform/clients.js');

  const operator = await ensureOperatorKey(await readOperatorKeyFile(dataDir));
  if (operator.created) {
    const file = await writeOperatorKeyFile(dataDir, operator.key);
    process.stdout.write(`operator key: ${operator.key}\n(saved to ${file}, mode 0600)\n`);
  }

  const fns = await loadFunctions();
  const server = createGateway({ handlers: fns.http, authorizer: fns.authorizer });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = (server.address() as AddressInfo).port;
  const poller = startPoller(getSqs(), backends.offersQueueUrl, backends.offersQueueArn, fns.deliver);

  await writeFile(
    path.join(dataDir, 'local-stack.json'),
    JSON.stringify(
      {
        apiUrl: `http://127.0.0.1:${actualPort}`,
        dynamoEndpoint: backends.dynamoEndpoint,
        sqsEndpoint: backends.sqsEndpoint,
        tableName: backends.tableName,
        offersQueueUrl: backends.offersQueueUrl,
        dlqUrl: backends.dlqUrl,
        pid: process.pid,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`ready on http://127.0.0.1:${actualPort}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await poller.stop();
    await backends.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.env.EXIT_WITH_PARENT === '1') {
    // Test runs: never outlive the runner that started us.
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && void stop(), 1000).unref();
  }
}

main().catch((err) => {
  process.stderr.write(`local stack failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
