#!/usr/bin/env node
/**
 * Runs the project's pinned CDK CLI (node_modules/aws-cdk) so that it writes
 * nothing outside the project and phones nowhere:
 * - CDK_HOME=.cdk (gitignored): the CLI's cache and settings stay in the project;
 * - CDK_DISABLE_CLI_TELEMETRY=1 and --no-notices: no telemetry, no notices fetch;
 * - npm_config_logs_dir=.cdk/npm-logs: the `npx` calls the CLI makes (the app
 *   command of cdk.json, esbuild during bundling) keep their debug logs here;
 * - npm_config_loglevel=error: those `npx` calls do not repeat warnings about
 *   the user's own npm configuration once per bundled function;
 * - TSX_DISABLE_CACHE=1: tsx keeps no transform cache in the temp folder.
 * For `synth`, which needs no AWS credentials, also:
 * - HOME=.cdk/home: aws-cdk-lib keeps an asset fingerprint cache under
 *   ~/.cdk/cache whatever CDK_HOME says; npm's cache follows (npm_config_cache);
 * - TMPDIR=.cdk/tmp: tsx's IPC pipe and any other temp file stay in the project;
 * - AWS_EC2_METADATA_DISABLED=true: no probe of the instance metadata endpoint
 *   while looking for a default account, so synth works offline.
 * `deploy` keeps the real HOME: it needs the AWS credentials and SSO cache kept there.
 *
 * Usage: node infra/aws/cdk.mjs <cdk arguments…>   (npm run synth / npm run deploy / npm run cdk -- …)
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = createRequire(import.meta.url).resolve('aws-cdk/bin/cdk');
const args = process.argv.slice(2);

const env = {
  ...process.env,
  CDK_HOME: path.join(root, '.cdk'),
  CDK_DISABLE_CLI_TELEMETRY: '1',
  npm_config_logs_dir: path.join(root, '.cdk', 'npm-logs'),
  npm_config_loglevel: 'error',
  npm_config_update_notifier: 'false',
  TSX_DISABLE_CACHE: '1',
};
if (args[0] === 'synth' || args[0] === 'synthesize') {
  for (const [name, dir] of [
    ['HOME', '.cdk/home'],
    ['TMPDIR', '.cdk/tmp'],
  ]) {
    env[name] = path.join(root, dir);
    mkdirSync(env[name], { recursive: true });
  }
  env.npm_config_cache = path.join(env.HOME, '.npm');
  env.AWS_EC2_METADATA_DISABLED = 'true';
}

const child = spawn(process.execPath, [cli, ...args, '--no-notices'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
