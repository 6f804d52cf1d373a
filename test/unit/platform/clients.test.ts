import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  makeDynamoClient,
  makeSqsClient,
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
} from '../../../shared/platform/clients.js';
import { DeadlineExceeded, withDeadline } from '../../../shared/platform/deadline.js';
import { withLogContext } from '../../../shared/platform/log.js';
import { captureOutput } from '../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
const servers: net.Server[] = [];
afterEach(async () => {
  output?.restore();
  output = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP server on loopback that accepts every connection and never answers: a hung endpoint. */
async function silentServer() {
  const opened: number[] = [];
  const closed: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    opened.push(Date.now());
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      closed.push(Date.now());
      sockets.delete(socket);
    });
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const { port } = server.address() as net.AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, opened, closed };
}

const get = new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } });

describe('the SDK timeouts', () => {
  it('bound every call: 5 s to get a connection, 3 s to the response, 3 attempts', () => {
    expect(SDK_CONNECTION_TIMEOUT_MS).toBe(5_000);
    expect(SDK_REQUEST_TIMEOUT_MS).toBe(3_000);
    expect(SDK_MAX_ATTEMPTS).toBe(3);
  });

  it('are set on both clients, with timeouts that throw', async () => {
    const server = await silentServer();
    for (const client of [makeDynamoClient(server.endpoint, 'us-east-1'), makeSqsClient(server.endpoint, 'us-east-1')]) {
      expect(await client.config.maxAttempts()).toBe(SDK_MAX_ATTEMPTS);
      // The handler's settings are resolved on its first request.
      await client.config.requestHandler
        .handle(
          { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 1, path: '/', headers: {}, query: {} } as never,
          { abortSignal: AbortSignal.abort() },
        )
        .catch(() => undefined);
      expect((client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs()).toMatchObject({
        connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
        requestTimeout: SDK_REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      });
    }
  });
});

describe("a request's deadline on the AWS clients", () => {
  it('cuts the call in flight at the deadline, without a retry', async () => {
    output = captureOutput();
    const server = await silentServer();
    const ddb = makeDynamoClient(server.endpoint, 'us-east-1');
    const start = Date.now();
    const answer = withLogContext(undefined, { requestId: 'cut-1' }, () => withDeadline(150, 'cut-1', () => ddb.send(get)));
    await expect(answer).rejects.toBeInstanceOf(DeadlineExceeded);
    const decided = Date.now() - start;
    await sleep(300);
    expect(decided).toBeGreaterThanOrEqual(145);
    expect(decided).toBeLessThan(1_000);
    expect(server.opened).toHaveLength(1);
    expect(server.closed).toHaveLength(1);
    // Closed at the deadline, far before the SDK's own request timeout.
    expect(server.closed[0] - start).toBeLessThan(1_000);
    const dropped = output.lines().find((l) => l.message === 'late result dropped');
    expect(dropped).toMatchObject({ requestId: 'cut-1', outcome: 'failed', errorName: 'AbortError' });
    expect(dropped!.afterMs).toBeLessThan(1_000);
  });

  it('sends no call at all once the deadline has passed', async () => {
    output = captureOutput();
    const server = await silentServer();
    const sqsServer = await silentServer();
    const ddb = makeDynamoClient(server.endpoint, 'us-east-1');
    const sqs = makeSqsClient(sqsServer.endpoint, 'us-east-1');
    const errors: string[] = [];
    const late = withDeadline(50, 'late-2', async () => {
      await sleep(120);
      for (const call of [() => ddb.send(get), () => sqs.send(new ListQueuesCommand({}))])
        await call().catch((e: Error) => errors.push(e.name));
    });
    await expect(late).rejects.toBeInstanceOf(DeadlineExceeded);
    await sleep(300);
    expect(errors).toEqual(['AbortError', 'AbortError']);
    expect(server.opened).toEqual([]);
    expect(sqsServer.opened).toEqual([]);
  });

  it("leaves calls outside a request alone, and a caller's own signal wins", async () => {
    const server = await silentServer();
    const ddb = makeDynamoClient(server.endpoint, 'us-east-1');
    const start = Date.now();
    const err = await ddb.send(get, { abortSignal: AbortSignal.timeout(100) }).catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(server.opened).toHaveLength(1);
  });
});
