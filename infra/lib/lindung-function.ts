import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
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
}

// esbuild's ESM output has no `require`; CommonJS dependencies bundled into it still call it.
const esmRequireShim =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

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

    this.handler = new nodejs.NodejsFunction(this, 'Function', {
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
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        LINDUNG_STAGE: settings.name,
        POWERTOOLS_SERVICE_NAME: 'lindung',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: esmRequireShim,
        minify: true,
        sourceMap: true,
        // The SDK versions are pinned in the lockfile; the copy in the runtime drifts with each release.
        bundleAwsSDK: true,
      },
    });

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
