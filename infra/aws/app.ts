import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GeoOffersStack } from './stack.js';

/**
 * The CDK app (cdk.json: `npx tsx infra/aws/app.ts`). Run it through
 * `npm run synth` / `npm run deploy`, which keep the CLI's files inside the
 * project and send no telemetry.
 *
 * Context: `-c stackName=…` (default GeoOffers), `-c stageName=…` (default prod).
 */
const app = new App();

new GeoOffersStack(app, app.node.tryGetContext('stackName') ?? 'GeoOffers', {
  description: 'Geo-targeting API: API Gateway, Lambda, DynamoDB, SQS',
  stageName: app.node.tryGetContext('stageName'),
  env:
    process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
});

// cdk-nag AwsSolutions: any finding that is not acknowledged (with a reason) in the stack fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
