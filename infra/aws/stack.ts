import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type BundlingOptions, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName, RouteDef } from '../../shared/http/route.js';
import { routes } from '../../shared/http/routes.js';
import { QUEUE_DEF, TABLE_DEF } from '../../shared/store/table-def.js';
import { BUNDLING, nodeOptions } from './bundling.js';
import {
  DELIVERY_BATCH_SIZE,
  DELIVERY_MAX_CONCURRENCY,
  SCAN_ACTION,
  TABLE_ACTIONS,
  lambdaNames,
  settingsFor,
  type LambdaName,
  type SealPurpose,
} from './functions.js';

/** The repository root: entries are `functions/<name>.ts`, the lock file is `package-lock.json`. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Stage-wide throttle unless the stack props say otherwise (requests/s, burst). */
export const DEFAULT_THROTTLE = { rateLimit: 2000, burstLimit: 4000 } as const;

/** The stream's iterator age (how old the oldest unprocessed record is) above which its alarm fires. */
export const STREAM_ITERATOR_AGE_ALARM_MS = 60_000;

/**
 * When the retention sweep runs: daily at 03:17 UTC, a quiet hour for European tenants and off the round hour
 * that other schedules of the account are likely to share.
 */
export const RETENTION_SWEEP_SCHEDULE = { minute: '17', hour: '3' } as const;

/**
 * How EventBridge retries an invocation of the sweep it could not make (Lambda throttled or unavailable), and for
 * how long; a run that fails once started is retried by Lambda's asynchronous invocation, and alarms.
 */
export const RETENTION_SWEEP_RETRIES = { retryAttempts: 2, maxEventAgeHours: 6 } as const;

export interface GeoOffersStackProps extends StackProps {
  /** API Gateway stage name; the API URL ends with it. @default 'prod' */
  readonly stageName?: string;
  /**
   * Stage-wide throttle (every route's default): a safety ceiling for the
   * whole API, not the per-key limit (the functions enforce that, see
   * infra/aws/README.md).
   * @default { rateLimit: 2000, burstLimit: 4000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of every log group of the stack. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Actions of the alarms (dead-letter queues, stream lag, retention sweep errors), e.g. an SNS topic. @default none */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /**
   * Load the bundles' source maps (`NODE_OPTIONS=--enable-source-maps`), so
   * stack traces in the logs name source files and lines. Costs cold-start
   * time (bench/bundles.ts measures it).
   * @default false
   */
  readonly sourceMaps?: boolean;
}

/**
 * The whole deployment: HTTP API (routes derived from the route table, the
 * rest to `ops`), one Lambda per function name plus the delivery consumer,
 * the stream consumer (the outbox) and the daily retention sweep (scheduled),
 * the single DynamoDB table with its stream, the offers queue with its DLQ,
 * the stream's DLQ, alarms and logs.
 */
export class GeoOffersStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly table: dynamodb.TableV2;
  readonly offersQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** Where the stream's event source sends a batch it gave up on (its shard and sequence numbers, not the records). */
  readonly streamDeadLetterQueue: sqs.Queue;
  /**
   * The customer-managed key that seals secrets at rest (webhook signing secrets, shopper-token keys):
   * envelope encryption, one data key per tenant and purpose (shared/platform/sealed.ts). Rotated yearly
   * by KMS; retained with the table, whose sealed values it alone opens.
   */
  readonly secretsKey: kms.Key;
  readonly functions: ReadonlyMap<LambdaName, NodejsFunction>;
  /** How every function is bundled (bundling.ts; bench/bundles.ts measures the same build). */
  readonly bundling: BundlingOptions = BUNDLING;
  readonly dlqAlarm: cloudwatch.Alarm;
  readonly streamDlqAlarm: cloudwatch.Alarm;
  readonly streamIteratorAgeAlarm: cloudwatch.Alarm;
  /** Invokes `retention` once a day (RETENTION_SWEEP_SCHEDULE). */
  readonly retentionSchedule: events.Rule;
  /** A retention sweep failed (an error or its timeout) at least once in a day. */
  readonly retentionErrorsAlarm: cloudwatch.Alarm;

  private readonly logRetention: logs.RetentionDays;
  private readonly sourceMaps: boolean;

  constructor(scope: Construct, id: string, props: GeoOffersStackProps = {}) {
    super(scope, id, props);
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.sourceMaps = props.sourceMaps ?? false;
    const throttle = props.throttle ?? DEFAULT_THROTTLE;

    // ---- Data: one table, keys from the shared definition; its stream is the outbox ----
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DEF.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_DEF.sortKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: TABLE_DEF.ttlAttribute,
      dynamoStream: dynamodb.StreamViewType[TABLE_DEF.streamViewType],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: TABLE_DEF.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });

    // ---- Delivery queue, its dead-letter queue, and the stream's dead-letter queue ----
    this.deadLetterQueue = new sqs.Queue(this, 'OffersDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.offersQueue = new sqs.Queue(this, 'OffersQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda event sources: at least 6x the function timeout.
      visibilityTimeout: Duration.seconds(6 * QUEUE_DEF.deliveryTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUE_DEF.maxReceiveCount },
    });
    this.streamDeadLetterQueue = new sqs.Queue(this, 'StreamDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.streamDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the on-failure destination of the table stream's event source (cdk-nag only recognises queues named in another queue's redrive policy). A dead-letter queue of its own would move failures further from the alarm on its depth.",
    });

    // ---- Secrets at rest ----
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Seals secrets at rest (webhook signing secrets, shopper-token keys): data keys bound to tenant and purpose',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- Functions ----
    const functions = new Map<LambdaName, NodejsFunction>();
    for (const name of lambdaNames()) functions.set(name, this.lambdaFunction(name));
    this.functions = functions;

    for (const [name, fn] of functions) {
      const settings = settingsFor(name);
      // The consumer(s) of the offers queue (deliver); the event source grants receive/delete/change-visibility.
      if (settings.consumesOffers) {
        fn.addEventSource(
          new SqsEventSource(this.offersQueue, {
            batchSize: DELIVERY_BATCH_SIZE,
            maxConcurrency: DELIVERY_MAX_CONCURRENCY,
            reportBatchItemFailures: true,
          }),
        );
      }
      // The outbox: the event source grants the stream reads (on the stream ARN) and SendMessage on the stream DLQ.
      if (settings.consumesStream) fn.addEventSource(this.outboxSource());
    }

    // ---- Schedule: the daily retention sweep (no route reaches it) ----
    const retentionFn = functions.get('retention');
    if (!retentionFn) throw new Error('The retention sweep function is missing.');
    this.retentionSchedule = new events.Rule(this, 'RetentionSweepSchedule', {
      description: "Daily retention sweep: deletes shoppers' items past their tenant's shortened retention",
      schedule: events.Schedule.cron(RETENTION_SWEEP_SCHEDULE),
      targets: [
        new targets.LambdaFunction(retentionFn, {
          retryAttempts: RETENTION_SWEEP_RETRIES.retryAttempts,
          maxEventAge: Duration.hours(RETENTION_SWEEP_RETRIES.maxEventAgeHours),
        }),
      ],
    });

    // ---- Alarms ----
    this.dlqAlarm = this.queueDepthAlarm(
      'DlqDepthAlarm',
      this.deadLetterQueue,
      `Offer deliveries reached the dead-letter queue (a webhook failed ${QUEUE_DEF.webhookAttempts} times, or the deliver function failed ${QUEUE_DEF.maxReceiveCount} receives): check the tenant webhook and the deliver function logs.`,
    );
    this.streamDlqAlarm = this.queueDepthAlarm(
      'StreamDlqDepthAlarm',
      this.streamDeadLetterQueue,
      'The stream consumer gave up on a batch of outbox records (offers not queued for delivery, or exposures not counted): each message names the shard and sequence numbers; the records stay in the stream for 24 hours. Check the stream function logs.',
    );
    const streamFn = functions.get('stream');
    if (!streamFn) throw new Error('The stream consumer function is missing.');
    this.streamIteratorAgeAlarm = new cloudwatch.Alarm(this, 'StreamIteratorAgeAlarm', {
      alarmDescription:
        'The oldest unprocessed record of the table stream is over 60 s old: offers wait that long (or more) for their delivery message and stats lag. Check the stream function (errors, throttles, SQS).',
      metric: streamFn.metric('IteratorAge', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: STREAM_ITERATOR_AGE_ALARM_MS,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.retentionErrorsAlarm = new cloudwatch.Alarm(this, 'RetentionSweepErrorsAlarm', {
      alarmDescription:
        "The daily retention sweep failed (an error or its 15-minute timeout): items past a tenant's shortened retention stay in the table (reads still hide them) until a run succeeds. Check the retention function logs.",
      metric: retentionFn.metricErrors({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.dlqAlarm, this.streamDlqAlarm, this.streamIteratorAgeAlarm, this.retentionErrorsAlarm]) {
      for (const action of props.alarmActions ?? []) alarm.addAlarmAction(action);
    }

    // ---- API ----
    const integrations = this.integrations(functions);
    // Not 'Api': that logical id was the REST API's, and CloudFormation cannot change a resource's type in place.
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Geo-targeting API (routes from shared/http/routes.ts)',
      // Every path and method outside the route table reaches ops, which answers a problem+json 404.
      defaultIntegration: integrations('ops'),
      createDefaultStage: false,
      // No CORS configuration (API.md: no browser origins by default on AWS), as before: a preflight
      // OPTIONS reaches ops like any unknown route. HttpApi's corsPreflight is where origins would go.
    });
    Validations.of(this.api.node.findChild('DefaultRoute')).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The $default route only reaches the ops function, which answers every request it gets this way with a problem+json 404 and touches no data; it has nothing to authorize.',
    });
    this.stage = this.httpStage(props.stageName ?? 'prod', throttle);
    this.addRoutes(integrations);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the API (stage included)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'OffersQueueUrl', { value: this.offersQueue.queueUrl });
    new CfnOutput(this, 'DlqUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'StreamDlqUrl', { value: this.streamDeadLetterQueue.queueUrl });
  }

  private logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention: this.logRetention, removalPolicy: RemovalPolicy.RETAIN });
  }

  private queueDepthAlarm(id: string, queue: sqs.Queue, description: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The table stream → `stream` (the outbox). Only new items that carry an
   * `outbox` attribute reach the function (the filter is applied by Lambda,
   * before any invocation). In order, one batch per shard at a time; a failed
   * record is reported by sequence number and its batch retried from it,
   * halved on each error so that one bad record ends up alone. Retried
   * without limit (until a record ages out of the stream's 24 h retention,
   * when its coordinates go to the stream DLQ): an SQS outage of any length
   * delays deliveries, it never drops them.
   */
  private outboxSource(): DynamoEventSource {
    return new DynamoEventSource(this.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: -1,
      onFailure: new SqsDlq(this.streamDeadLetterQueue),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { outbox: { S: lambda.FilterRule.exists() } } },
        }),
      ],
    });
  }

  /** One function: bundled from `functions/<name>.ts` (bundling.ts), its own log group and role, grants from FUNCTION_SETTINGS. */
  private lambdaFunction(name: LambdaName): NodejsFunction {
    const id = `${name[0].toUpperCase()}${name.slice(1)}Fn`;
    const entry = path.join(PROJECT_ROOT, 'functions', `${name}.ts`);
    if (!existsSync(entry)) {
      throw new Error(`The deployment names function '${name}', but functions/${name}.ts does not exist.`);
    }
    const settings = settingsFor(name);
    const logGroup = this.logGroup(`${id}Logs`);

    // An own role per function instead of AWSLambdaBasicExecutionRole: it may
    // write to its own log group only, and gets exactly the grants below.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    logGroup.grantWrite(role);

    const runtimeNodeOptions = nodeOptions(this.sourceMaps);
    const fn = new NodejsFunction(this, id, {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.TEXT,
      // X-Ray: Lambda records every invocation; the Powertools tracer adds the handler and every AWS SDK call, except in offers (shared/platform/tracer.ts).
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        TABLE_NAME: this.table.tableName,
        OFFERS_QUEUE_URL: this.offersQueue.queueUrl,
        DLQ_URL: this.deadLetterQueue.queueUrl,
        ...(runtimeNodeOptions ? { NODE_OPTIONS: runtimeNodeOptions } : {}),
        // Only the functions that seal or open secrets know the key (and only they may use it: below).
        ...(settings.seals.length || settings.opens.length ? { SECRETS_KMS_KEY_ID: this.secretsKey.keyArn } : {}),
        // Traces hold timings and call names, never bodies: responses carry keys shown once,
        // webhook secrets and shopper profiles, and webhook URLs are the tenants' own.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
      },
      bundling: this.bundling,
    });

    const tableResources = [
      this.table.tableArn,
      ...TABLE_DEF.globalSecondaryIndexes.map((gsi) => `${this.table.tableArn}/index/${gsi.indexName}`),
    ];
    if (settings.table !== 'none') {
      role.addToPolicy(new iam.PolicyStatement({ actions: [...TABLE_ACTIONS.read], resources: tableResources }));
    }
    if (settings.table === 'readWrite') {
      role.addToPolicy(new iam.PolicyStatement({ actions: [...TABLE_ACTIONS.write], resources: [this.table.tableArn] }));
    }
    // The retention sweep's parallel scan: on the table alone (it reads no index).
    if (settings.scansTable) {
      role.addToPolicy(new iam.PolicyStatement({ actions: [SCAN_ACTION], resources: [this.table.tableArn] }));
    }
    if (settings.sendsOffers) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.offersQueue.queueArn] }));
    }
    if (settings.sendsToDlq) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    }
    if (settings.seals.length) role.addToPolicy(this.secretsGrant('kms:GenerateDataKey', settings.seals));
    if (settings.opens.length) role.addToPolicy(this.secretsGrant('kms:Decrypt', settings.opens));
    // consumesOffers / consumesStream: their event sources (constructor) add what they need.

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray only allows on every resource (it has no resource-level permissions); nothing else in the role uses a wildcard.',
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: it is the runtime the code, its dependencies and the bundle target (node22) are tested for; moving to a newer runtime is a deliberate, tested upgrade.',
    });
    return fn;
  }

  /**
   * One KMS action on the secrets key, only for data keys whose encryption
   * context names this service and one of these purposes (sealed.ts binds
   * every data key to `{service, purpose, tenantId}`): the deliver function
   * can open webhook secrets and nothing else.
   */
  private secretsGrant(action: 'kms:GenerateDataKey' | 'kms:Decrypt', purposes: readonly SealPurpose[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: [action],
      resources: [this.secretsKey.keyArn],
      conditions: {
        StringEquals: {
          'kms:EncryptionContext:service': 'geo-offers',
          'kms:EncryptionContext:purpose': [...purposes],
        },
      },
    });
  }

  /**
   * One Lambda proxy integration per function, made on first use and shared by
   * its routes, with the REST-style event (payload format 1.0) that the
   * handlers are written for.
   */
  private integrations(functions: ReadonlyMap<LambdaName, NodejsFunction>): (name: FunctionName) => HttpLambdaIntegration {
    const made = new Map<FunctionName, HttpLambdaIntegration>();
    return (name) => {
      let integration = made.get(name);
      if (!integration) {
        const fn = functions.get(name);
        if (!fn) throw new Error(`No Lambda for function ${name}`);
        integration = new HttpLambdaIntegration(`${name[0].toUpperCase()}${name.slice(1)}Integration`, fn, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_1_0,
        });
        made.set(name, integration);
      }
      return integration;
    };
  }

  /**
   * The API's one stage: auto-deployed, every route throttled by default at
   * the stage ceiling, per-route CloudWatch metrics, JSON access logs.
   */
  private httpStage(stageName: string, throttle: { rateLimit: number; burstLimit: number }): apigw.HttpStage {
    const accessLogs = this.logGroup('ApiAccessLogs');
    return this.api.addStage('Stage', {
      stageName,
      autoDeploy: true,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // No IP, no path, no query string (they carry ids and coordinates): the route key and identifiers only.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            error: '$context.error.message',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  /**
   * One route per entry of the route table, on the function the entry names.
   * None has an API Gateway authorizer: each function checks the key itself
   * (shared/auth) before it routes the request.
   */
  private addRoutes(integrationFor: (name: FunctionName) => HttpLambdaIntegration): void {
    for (const route of routes as readonly RouteDef[]) {
      const httpRoute = new apigw.HttpRoute(this.api, `${route.method}${route.path}`, {
        httpApi: this.api,
        routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
        integration: integrationFor(route.fn),
      });
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          route.auth === 'none'
            ? `${route.method} ${route.path} is public by contract (auth 'none' in the route table): health checks and the OpenAPI document need no key.`
            : `${route.method} ${route.path} is authorized by its function (shared/auth): the API key is checked against its hash (cached per container for at most 30 s), with its scopes, expiry, revocation and rate limit, before the route runs; an API Gateway authorizer would add a second invocation per request.`,
      });
    }
  }
}
