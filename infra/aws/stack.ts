import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName, RouteDef } from '../../shared/http/route.js';
import { routes } from '../../shared/http/routes.js';
import { QUEUE_DEF, TABLE_DEF } from '../../shared/store/table-def.js';
import { TABLE_ACTIONS, lambdaNames, settingsFor, type LambdaName } from './functions.js';
import { STATUS_OF } from '../../shared/http/errors.js';
import { GATEWAY_ERRORS, problemHeaders, problemTemplate } from './gateway-responses.js';

/** The repository root: entries are `functions/<name>.ts`, the lock file is `package-lock.json`. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Timeout of the HTTP functions and the authorizer (API Gateway itself gives up after 29 s). */
export const HTTP_TIMEOUT_SECONDS = 10;

export interface GeoOffersStackProps extends StackProps {
  /** API Gateway stage name; the API URL ends with it. @default 'prod' */
  readonly stageName?: string;
  /**
   * Stage-wide throttle: a safety ceiling for the whole API, not the per-key
   * limit (the authorizer enforces that, see infra/aws/README.md).
   * @default { rateLimit: 2000, burstLimit: 4000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of every log group of the stack. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Actions of the dead-letter-queue alarm (e.g. an SNS topic). @default none */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /**
   * Create API Gateway's account-level CloudWatch role (AWS::ApiGateway::Account),
   * which the stage's execution logs need. Set false when the account/region
   * already has one (it is one per region, shared by every API).
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
}

/**
 * The whole deployment: REST API (routes derived from the route table), one
 * Lambda per function name plus the authorizer and the delivery consumer, the
 * single DynamoDB table, the offers queue with its DLQ, alarms and logs.
 */
export class GeoOffersStack extends Stack {
  readonly api: apigw.RestApi;
  readonly table: dynamodb.TableV2;
  readonly offersQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly functions: ReadonlyMap<LambdaName, NodejsFunction>;
  readonly dlqAlarm: cloudwatch.Alarm;

  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: GeoOffersStackProps = {}) {
    super(scope, id, props);
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const throttle = props.throttle ?? { rateLimit: 2000, burstLimit: 4000 };

    // ---- Data: one table, keys from the shared definition ----
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DEF.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_DEF.sortKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: TABLE_DEF.ttlAttribute,
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

    // ---- Delivery queue and its dead-letter queue ----
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

    // ---- Functions ----
    const functions = new Map<LambdaName, NodejsFunction>();
    for (const name of lambdaNames()) functions.set(name, this.lambdaFunction(name));
    this.functions = functions;

    // The consumer(s) of the offers queue (deliver); the event source grants receive/delete/change-visibility.
    for (const [name, fn] of functions) {
      if (!settingsFor(name).consumesOffers) continue;
      fn.addEventSource(new SqsEventSource(this.offersQueue, { batchSize: 10, reportBatchItemFailures: true }));
    }

    this.dlqAlarm = new cloudwatch.Alarm(this, 'DlqDepthAlarm', {
      alarmDescription: `Offer deliveries failed ${QUEUE_DEF.maxReceiveCount} times and reached the dead-letter queue: check the tenant webhook and the deliver function logs.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const action of props.alarmActions ?? []) this.dlqAlarm.addAlarmAction(action);

    // ---- API ----
    this.api = this.restApi(props.stageName ?? 'prod', throttle, props.apiGatewayCloudWatchRole ?? true);
    this.api.node.tryRemoveChild('Endpoint'); // RestApi's own URL output; ApiUrl below replaces it
    const authorizer = this.keyAuthorizer(functions.get('authorizer')!);
    this.addRoutes(authorizer, functions);
    for (const { type, error } of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(`Gateway${type.responseType}`, {
        type,
        statusCode: String(STATUS_OF[error.kind]),
        // API Gateway's own request id (the one the functions fall back to when a client sends none).
        responseHeaders: { ...problemHeaders(error), 'X-Request-Id': 'context.requestId' },
        templates: { 'application/json': problemTemplate(error) },
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API (stage included)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'OffersQueueUrl', { value: this.offersQueue.queueUrl });
    new CfnOutput(this, 'DlqUrl', { value: this.deadLetterQueue.queueUrl });
  }

  private logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention: this.logRetention, removalPolicy: RemovalPolicy.RETAIN });
  }

  /** One function: bundled from `functions/<name>.ts`, its own log group and role, grants from FUNCTION_SETTINGS. */
  private lambdaFunction(name: LambdaName): NodejsFunction {
    const id = `${name[0].toUpperCase()}${name.slice(1)}Fn`;
    const entry = path.join(PROJECT_ROOT, 'functions', `${name}.ts`);
    if (!existsSync(entry)) {
      throw new Error(`The route table names function '${name}', but functions/${name}.ts does not exist.`);
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

    const fn = new NodejsFunction(this, id, {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(name === 'deliver' ? QUEUE_DEF.deliveryTimeoutSeconds : HTTP_TIMEOUT_SECONDS),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.TEXT,
      // X-Ray: the Powertools tracer (shared/platform/tracer.ts) records the handler and every AWS SDK call.
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        TABLE_NAME: this.table.tableName,
        OFFERS_QUEUE_URL: this.offersQueue.queueUrl,
        DLQ_URL: this.deadLetterQueue.queueUrl,
        NODE_OPTIONS: '--enable-source-maps',
        // Traces hold timings and call names, never bodies: responses carry keys shown once,
        // webhook secrets and shopper profiles, and webhook URLs are the tenants' own.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ESM builds; CommonJS dependencies bundled into ESM
        // still call require() for Node built-ins, hence the banner.
        mainFields: ['module', 'main'],
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the pinned @aws-sdk versions the code is tested with instead
        // of the runtime's copy.
        externalModules: [],
      },
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
    if (settings.sendsOffers) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.offersQueue.queueArn] }));
    }
    if (settings.sendsToDlq) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    }
    // settings.consumesOffers: the queue's event source (constructor) grants receive/delete/change-visibility.

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

  private restApi(
    stageName: string,
    throttle: { rateLimit: number; burstLimit: number },
    cloudWatchRole: boolean,
  ): apigw.RestApi {
    const accessLogs = this.logGroup('ApiAccessLogs');
    const api = new apigw.RestApi(this, 'Api', {
      description: 'Geo-targeting API (routes from shared/http/routes.ts)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      minCompressionSize: Size.kibibytes(1),
      // Execution logs (ERROR level only) need the account-level CloudWatch role of API Gateway.
      cloudWatchRole,
      ...(cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        metricsEnabled: true,
        tracingEnabled: true, // X-Ray from the stage into the functions' traces
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // never log bodies: they hold coordinates and key values
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        // No IP, no query string, no path values: the resource template and identifiers only.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            time: apigw.AccessLogField.contextRequestTime(),
            method: apigw.AccessLogField.contextHttpMethod(),
            resource: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            latencyMs: apigw.AccessLogField.contextResponseLatency(),
            integrationLatencyMs: apigw.AccessLogField.contextIntegrationLatency(),
            keyId: apigw.AccessLogField.contextAuthorizerPrincipalId(),
            authorizerLatencyMs: apigw.AccessLogField.contextAuthorizerIntegrationLatency(),
            errorType: apigw.AccessLogField.contextErrorResponseType(),
          }),
        ),
      },
    });

    Validations.of(api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Requests are validated by the zod schemas of the route table inside each function, which return problem+json 422s naming every bad field; API Gateway models would duplicate them and answer in another shape.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are apps and servers holding API keys, not Cognito users: every non-public method uses the REQUEST Lambda authorizer (hashed keys, scopes, revocation, per-key rate limit).',
      },
    );
    Validations.of(api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF by default: abuse is bounded by the per-key rate limit in the authorizer and the stage throttle, and the AWS managed common rule set blocks bodies over 8 KB, which legitimate geofence polygons (up to 2,000 vertices) exceed. Attach a web ACL per deployment if needed.',
    });
    const role = api.node.tryFindChild('CloudWatchRole');
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "AmazonAPIGatewayPushToCloudWatchLogs is AWS's purpose-made policy for API Gateway's account-level logging role, which the stage's execution logs require; it is assumable by API Gateway only.",
      });
    }
    return api;
  }

  /**
   * REQUEST authorizer, results not cached (TTL 0). The authorizer enforces
   * each key's rate limit and its revocation, so every request must reach it:
   * a cached Allow would let a key exceed its limit and outlive its revocation.
   * With caching off API Gateway needs no identity source, so both
   * `Authorization: Bearer` and `x-api-key` reach the authorizer, and a request
   * with neither gets the authorizer's 401 (problem+json) rather than a bare one.
   */
  private keyAuthorizer(handler: NodejsFunction): apigw.RequestAuthorizer {
    const authorizer = new apigw.RequestAuthorizer(this, 'KeyAuthorizer', {
      handler,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    // CDK renders no identity sources as an empty string; leave the property out instead.
    (authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    return authorizer;
  }

  /** One method per route of the table, on the function the route names; non-public routes behind the authorizer. */
  private addRoutes(authorizer: apigw.RequestAuthorizer, functions: ReadonlyMap<LambdaName, NodejsFunction>): void {
    const integrations = new Map<FunctionName, apigw.LambdaIntegration>();
    const integrationFor = (fn: FunctionName) => {
      let integration = integrations.get(fn);
      if (!integration) {
        const handler = functions.get(fn);
        if (!handler) throw new Error(`No Lambda for function ${fn}`);
        integration = new apigw.LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
        integrations.set(fn, integration);
      }
      return integration;
    };

    for (const route of routes as readonly RouteDef[]) {
      const resource = this.api.root.resourceForPath(route.path);
      const isPublic = route.auth === 'none';
      const method = resource.addMethod(
        route.method,
        integrationFor(route.fn),
        isPublic
          ? { operationName: route.id, authorizationType: apigw.AuthorizationType.NONE }
          : { operationName: route.id, authorizationType: apigw.AuthorizationType.CUSTOM, authorizer },
      );
      if (isPublic) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by contract (auth 'none' in the route table): health checks and the OpenAPI document need no key.`,
        });
      }
    }
  }
}
