import { routeDefinitions, routeKey } from '@lindung/api';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  billingResendFunction,
  httpApiFunction,
  importWorkerFunction,
  periodRollFunction,
  renewalWorkerFunction,
} from '../../functions/registry.js';
import { billingResendAfterMinutes } from '../lib/billing.js';
import { functionName } from '../lib/stage.js';
import { buildStack, logicalIdOf, propertiesOf } from './support.js';

describe('self-healing and hardening on AWS', () => {
  const { template } = buildStack('dev');
  const functionId = (id: string) =>
    logicalIdOf(template, 'AWS::Lambda::Function', { FunctionName: functionName('dev', id) });
  const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', {
    Name: 'lindung/dev/nik-hash-key',
  });

  it('never puts the NIK hashing key in a template: functions get the secret ARN and read it through the extension', () => {
    // Act
    const text = JSON.stringify(template.toJSON());
    const environments = propertiesOf(template, 'AWS::Lambda::Function').map((fn) =>
      JSON.stringify(fn.Environment),
    );

    // Assess
    expect(text).not.toContain('{{resolve:secretsmanager');
    expect(environments.filter((env) => env.includes('"NIK_HASH_KEY"'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: functionName('dev', httpApiFunction.id),
      Environment: { Variables: Match.objectLike({ NIK_HASH_KEY_SECRET_ARN: { Ref: secretId } }) },
    });
  });

  it('lets the functions that enroll (http-api, import-worker) read the NIK hashing key secret, and no other', () => {
    // Act
    const readers = propertiesOf(template, 'AWS::IAM::Policy').filter((policy) =>
      JSON.stringify(policy.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );

    // Assess
    expect(readers).toHaveLength(2);
    for (const reader of readers) expect(JSON.stringify(reader.PolicyDocument)).toContain(secretId);
    expect(readers.map((reader) => JSON.stringify(reader.Roles)).join(' ')).toMatch(
      /HttpApi.*ImportWorker|ImportWorker.*HttpApi/,
    );
  });

  it('gives the functions that read the key the Parameters and Secrets extension layer, and no other', () => {
    // Act: the layer's ARN for the stack's region, from the mapping the CDK writes (AWS's layer per region).
    const withExtension = propertiesOf(template, 'AWS::Lambda::Function')
      .filter((fn) => JSON.stringify(fn.Layers ?? []).includes('Paramsandsecretslayer'))
      .map((fn) => fn.FunctionName)
      .sort();

    // Assess
    expect(withExtension).toEqual(
      [functionName('dev', httpApiFunction.id), functionName('dev', importWorkerFunction.id)].sort(),
    );
  });

  it('reserves concurrency for the http-api function', () => {
    // Assess
    expect(httpApiFunction.reservedConcurrency).toBeGreaterThan(0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: functionName('dev', httpApiFunction.id),
      ReservedConcurrentExecutions: httpApiFunction.reservedConcurrency,
    });
  });

  it('throttles every route of the contract on its own, imports and operator routes hardest', () => {
    // Act
    const [stage] = propertiesOf(template, 'AWS::ApiGatewayV2::Stage');
    const settings = stage?.RouteSettings as Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
    >;
    const importRoute = routeDefinitions.find((route) => route.path.endsWith('/enrollments/import'));

    // Assess
    expect(Object.keys(settings).sort()).toEqual(routeDefinitions.map(routeKey).sort());
    for (const limits of Object.values(settings)) {
      expect(limits.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(limits.ThrottlingBurstLimit).toBeGreaterThanOrEqual(limits.ThrottlingRateLimit);
    }
    expect(importRoute && settings[routeKey(importRoute)]).toEqual({
      ThrottlingRateLimit: 2,
      ThrottlingBurstLimit: 5,
    });
    expect(settings['POST /v1/periods/{period}/roll']).toEqual({
      ThrottlingRateLimit: 1,
      ThrottlingBurstLimit: 2,
    });
  });

  it('bounds how many renewal workers the renewal queue starts at once', () => {
    // Assess
    const trigger = renewalWorkerFunction.trigger;
    expect(trigger.kind === 'queue' && trigger.maxConcurrency).toBe(10);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(renewalWorkerFunction.id) },
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('repeats the period roll hourly and sweeps unanswered invoices every 10 minutes, in Asia/Jakarta', () => {
    // Assess
    for (const definition of [periodRollFunction, billingResendFunction]) {
      const trigger = definition.trigger;
      if (trigger.kind !== 'schedule') throw new Error(`${definition.id} is not scheduled`);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `lindung-dev-${definition.id}`,
        ScheduleExpression: `cron(${trigger.cron})`,
        ScheduleExpressionTimezone: 'Asia/Jakarta',
      });
    }
    expect(periodRollFunction.trigger).toMatchObject({ cron: '5 * * * ? *' });
    expect(billingResendFunction.trigger).toMatchObject({ cron: '*/10 * * * ? *' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: functionName('dev', billingResendFunction.id),
      Environment: {
        Variables: Match.objectLike({
          LINDUNG_BILLING_RESEND_AFTER_MINUTES: String(billingResendAfterMinutes),
          QUEUE_URL_BILLING_OUTBOX: Match.anyValue(),
        }),
      },
    });
  });

  it('alarms on resent invoices (the sweep’s EMF metric) to the alarm topic', () => {
    // Prepare
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', { TopicName: 'lindung-dev-alarms' });

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Lindung',
      MetricName: 'InvoicesResent',
      Dimensions: [{ Name: 'service', Value: 'lindung' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
  });
});

describe('dead-letter redrive on AWS', () => {
  const { template } = buildStack('dev');

  it('lets the http-api start message move tasks from every dead-letter queue, and only from them', () => {
    // Act
    const statements = propertiesOf(template, 'AWS::IAM::Policy')
      .flatMap(
        (policy) =>
          (policy.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((statement) => JSON.stringify(statement.Action).includes('sqs:StartMessageMoveTask'));

    // Assess
    // One per queue with a dead-letter queue: renewal-work, import-work, invoice-numbering, billing-outbox,
    // billing-inbox.
    expect(statements).toHaveLength(5);
    for (const statement of statements) expect(JSON.stringify(statement.Resource)).toMatch(/DeadLetters/);
  });
});
