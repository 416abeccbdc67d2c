import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionDefinition } from '../../functions/registry.js';
import { functionName, type StageSettings } from './stage.js';

/** The repository root: registry entries and the lockfile are relative to it. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface LindungFunctionProps {
  readonly settings: StageSettings;
  readonly definition: FunctionDefinition;
  /** Table names, queue URLs and keys the function may use (see access.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** Reads a secret (the NIK hashing key): the AWS Parameters and Secrets Lambda Extension is added as a layer. */
  readonly readsSecrets?: boolean;
}

// esbuild's ESM output has no `require`; CommonJS dependencies bundled into it still call it.
const esmRequireShim =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The export/import conditions of a function bundle: `lindung-bundle` picks the bundle's side of a package's
 * `imports` (the region data file ships beside `index.mjs`, see packages/core/package.json); `module` is
 * esbuild's default, which naming any condition would otherwise drop.
 */
export const bundleConditions = ['lindung-bundle', 'module'] as const;

/**
 * Modules a function bundle replaces with what Lambda needs of them: the SDK's default credential chain by
 * the environment's credentials, all that Lambda gives (functions/shared/lambda-credentials.ts), and the
 * event-stream codec, which no operation of DynamoDB or SQS uses (functions/shared/no-event-streams.ts).
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': `${repositoryRoot}functions/shared/lambda-credentials.ts`,
  '@smithy/core/event-streams': `${repositoryRoot}functions/shared/no-event-streams.ts`,
};

/**
 * How every function is bundled by the local esbuild. infra/bin/bundle-report.ts hands the same options
 * to esbuild's API, so the sizes it reports are those of the deployed code.
 */
export const bundling = {
  forceDockerBundling: false,
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: esmRequireShim,
  minify: true,
  sourceMap: true,
  // Nothing external, the AWS SDK included: its versions are pinned in the lockfile, while the copy in
  // the runtime drifts with each release. Each bundle then carries only the SDK clients it imports.
  externalModules: [],
  // Data files (the regions of idn-area-data) are emitted beside index.mjs as `<name>-<hash>.dat`.
  loader: { '.dat': 'file' as const, '.openapi.json': 'file' as const },
  esbuildArgs: {
    '--conditions': bundleConditions.join(','),
    ...Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [`--alias:${from}`, to])),
  },
} satisfies nodejs.BundlingOptions;

/**
 * Every Lindung Lambda function: Node.js 22 on arm64, bundled by the local esbuild (no Docker), minified
 * with source maps, X-Ray tracing, its own log group with the stage's retention, and a role that holds
 * nothing but what is granted to it explicitly.
 */
export class LindungFunction extends Construct {
  readonly handler: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly definition: FunctionDefinition;
  /** Errors and throttles; the stack sends every alarm to the stage's alarm topic. */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: LindungFunctionProps) {
    super(scope, id);
    const { settings, definition } = props;
    this.definition = definition;
    const name = functionName(settings.name, definition.id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${name}`,
      retention: settings.logRetention,
      removalPolicy: settings.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole, whose log permissions span every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Lambda ${name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.handler = new nodejs.NodejsFunction(this, 'Resource', {
      functionName: name,
      description: definition.description,
      entry: `${repositoryRoot}${definition.entry}`,
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: `${repositoryRoot}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: definition.memoryMb,
      timeout: Duration.seconds(definition.timeoutSeconds),
      ...(definition.reservedConcurrency !== undefined && {
        reservedConcurrentExecutions: definition.reservedConcurrency,
      }),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        LINDUNG_STAGE: settings.name,
        POWERTOOLS_SERVICE_NAME: 'lindung',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling,
      // AWS's extension serves the function's secrets from a cache over localhost, so the bundle carries no
      // Secrets Manager client (functions/shared/nik-hash-key.ts).
      ...(props.readsSecrets && {
        paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
          lambda.ParamsAndSecretsVersions.V1_0_103,
          { cacheSize: 10, logLevel: lambda.ParamsAndSecretsLogLevel.WARN },
        ),
      }),
    });

    // Errors count what the handler did not turn into a response or a partial batch failure: crashes,
    // timeouts, out-of-memory. Throttles mean the account's or the function's concurrency ran out.
    const alarmOn = (id: string, metric: cloudwatch.Metric, what: string) =>
      metric.createAlarm(this, id, {
        alarmDescription: `${name}: ${what}`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarmOn(
        'ErrorsAlarm',
        this.handler.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        'invocations failed (an uncaught error, a timeout or running out of memory); see its logs',
      ),
      alarmOn(
        'ThrottlesAlarm',
        this.handler.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        'invocations were throttled: the concurrency limit was reached',
      ),
    ];

    Validations.of(this.handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'ARCHITECTURE.md fixes the Lambda runtime at nodejs22.x (a supported runtime): dependencies are ' +
        'pinned and tested for Node 20/22, and a move to nodejs24.x is made deliberately, with a measured ' +
        'reason, not on every new release.',
    });
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords and DynamoDB ListStreams support no resource-level ' +
          'permissions; every other statement is scoped to a resource (asserted in infra/test).',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Granted by CDK for SSE-KMS on tables and queues that use the customer-managed data key; the ' +
          'statement is scoped to that one key.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason:
          'Granted by CDK for SSE-KMS on tables and queues that use the customer-managed data key; the ' +
          'statement is scoped to that one key.',
      },
    );
  }
}
