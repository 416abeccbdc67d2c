import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type FunctionDefinition, functionDefinitions, httpApiFunction } from '../../functions/registry.js';
import { functionAccess } from '../lib/access.js';
import { esbuildOptions } from '../lib/bundles.js';
import { functionName } from '../lib/stage.js';
import { mirroredRegistry } from './fixtures/registry.js';
import { buildStack, propertiesOf } from './support.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const statementsOf = (template: Template): Statement[] =>
  propertiesOf(template, 'AWS::IAM::Policy').flatMap(
    (policy) => (policy.PolicyDocument as { Statement: Statement[] }).Statement,
  );

describe('LindungFunction', () => {
  const dev = buildStack('dev');
  const prod = buildStack('prod');
  const withEveryFunction = buildStack('dev', { functions: mirroredRegistry });

  it('runs the http-api function on nodejs22.x, arm64, with X-Ray tracing and source maps', () => {
    // Assess
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: functionName('dev', httpApiFunction.id),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: httpApiFunction.memoryMb,
      Timeout: httpApiFunction.timeoutSeconds,
      Environment: {
        Variables: Match.objectLike({
          LINDUNG_STAGE: 'dev',
          POWERTOOLS_SERVICE_NAME: 'lindung',
          NODE_OPTIONS: '--enable-source-maps',
          TABLE_LEDGER: Match.anyValue(),
          QUEUE_URL_RENEWAL_WORK: Match.anyValue(),
          NIK_HASH_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('NikHashKey') },
        }),
      },
    });
  });

  it('keeps logs for one month in dev and one year in prod', () => {
    // Assess
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/lambda/${functionName('dev', httpApiFunction.id)}`,
      RetentionInDays: 30,
    });
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/lambda/${functionName('prod', httpApiFunction.id)}`,
      RetentionInDays: 365,
    });
  });

  it('gives no role an AWS managed policy', () => {
    // Act
    const roles = propertiesOf(dev.template, 'AWS::IAM::Role');

    // Assess
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it.each([
    ['the registry', dev],
    ['every function to come', withEveryFunction],
  ])('allows `Resource: *` only for actions without resource-level permissions (%s)', (_name, built) => {
    // Prepare
    const resourceless = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'dynamodb:ListStreams',
    ]);

    // Act
    const unscoped = statementsOf(built.template).filter((statement) => statement.Resource === '*');

    // Assess
    expect(unscoped.length).toBeGreaterThan(0);
    for (const statement of unscoped) {
      for (const action of actionsOf(statement)) expect(resourceless).toContain(action);
    }
  });

  it.each([
    ['the registry', dev],
    ['every function to come', withEveryFunction],
  ])('scopes wildcard KMS actions to the customer-managed data key (%s)', (_name, built) => {
    // Prepare
    const dataKeyArn = {
      'Fn::GetAtt': [built.stack.getLogicalId(built.stack.dataKey.node.defaultChild as CfnKey), 'Arn'],
    };

    // Act
    const wildcards = statementsOf(built.template).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:') && action.includes('*')),
    );

    // Assess
    expect(wildcards.length).toBeGreaterThan(0);
    for (const statement of wildcards) expect(statement.Resource).toEqual(dataKeyArn);
  });

  it('never grants Scan: request paths read by key', () => {
    // Act
    const actions = statementsOf(dev.template).flatMap(actionsOf);

    // Assess
    expect(actions).toContain('dynamodb:Query');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((action) => action.startsWith('dynamodb:') && action.includes('*'))).toEqual([]);
  });

  it('lists access only for functions of the registry or of its test mirror', () => {
    // Prepare
    const known = [...functionDefinitions, ...mirroredRegistry].map((definition) => definition.id);

    // Assess
    for (const id of Object.keys(functionAccess)) expect(known).toContain(id);
  });

  it('is mirrored by the test registry: every function of the registry, with the same trigger', () => {
    // Prepare
    const triggerOf = ({ trigger, localOnly }: FunctionDefinition) => ({
      localOnly: localOnly ?? false,
      kind: trigger.kind,
      ...(trigger.kind === 'queue'
        ? { queue: trigger.queue.id, maxConcurrency: trigger.maxConcurrency }
        : {}),
      ...(trigger.kind === 'stream'
        ? {
            table: trigger.table.id,
            batchSize: trigger.batchSize,
            maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
            retryAttempts: trigger.retryAttempts,
            bisectBatchOnFunctionError: trigger.bisectBatchOnFunctionError,
          }
        : {}),
      ...(trigger.kind === 'schedule' ? { cron: trigger.cron, timezone: trigger.timezone } : {}),
    });

    // Act
    const mirrored = new Map(mirroredRegistry.map((definition) => [definition.id, triggerOf(definition)]));

    // Assess
    for (const definition of functionDefinitions) {
      expect(mirrored.get(definition.id), definition.id).toEqual(triggerOf(definition));
    }
  });
});

describe('LindungFunction bundling', () => {
  const { app, stack } = buildStack('dev', { bundle: true });
  // Bundled while the file is collected, beside the CDK's own bundling, rather than inside a test.
  const direct = esbuild.build(esbuildOptions(httpApiFunction.entry));

  it('bundles the http-api entry with the local esbuild into minified ESM with a source map', () => {
    // Prepare
    const asset = stack.api.handler.handler.node.findChild('Code') as Asset;
    const directory = join(app.outdir, asset.assetPath);

    // Act
    const files = readdirSync(directory).sort();
    const code = readFileSync(join(directory, 'index.mjs'), 'utf8');

    // Assess
    // The region data, which esbuild's file loader emits beside the code (packages/core/package.json).
    expect(files).toEqual([
      'index.mjs',
      'index.mjs.map',
      expect.stringMatching(/^lindung\.openapi-\w+\.json$/),
      expect.stringMatching(/^regions-\w+\.dat$/),
    ]);
    expect(code.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    // Minified: what newlines remain sit inside string literals, so lines are long on average.
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
  });

  it('writes the same files as esbuild given infra/lib/bundles.ts esbuildOptions (what the tests and bench run)', async () => {
    // Prepare
    const asset = stack.api.handler.handler.node.findChild('Code') as Asset;
    const directory = join(app.outdir, asset.assetPath);

    // Act
    const result = await direct;
    const code = result.outputFiles.find((file) => file.path.endsWith('/index.mjs'));
    const data = result.outputFiles.find((file) => file.path.endsWith('.dat'));

    // Assess
    expect(Buffer.from(code?.contents ?? []).equals(readFileSync(join(directory, 'index.mjs')))).toBe(true);
    expect(readdirSync(directory)).toContain(basename(data?.path ?? 'no .dat file'));
  });
});
