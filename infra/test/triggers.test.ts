import { billingInboxQueue, invoiceNumberingQueue, queueName, renewalWorkQueue } from '@lindung/messaging';
import { ledgerTable, tableName } from '@lindung/store';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { httpApiFunction, scheduledInvocationInput } from '../../functions/registry.js';
import { functionName } from '../lib/stage.js';
import {
  billingInbox,
  billingSimulator,
  invoiceNumbering,
  mirroredRegistry,
  periodRoll,
  renewalWorker,
  reportsProjector,
} from './fixtures/registry.js';
import { buildStack, logicalIdOf } from './support.js';

describe('triggers', () => {
  const { template } = buildStack('dev', { functions: mirroredRegistry });
  const functionId = (id: string) =>
    logicalIdOf(template, 'AWS::Lambda::Function', { FunctionName: functionName('dev', id) });

  it('deploys every registered function except the local-only ones', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', mirroredRegistry.length - 1);
    expect(
      template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: functionName('dev', billingSimulator.id) },
      }),
    ).toEqual({});
  });

  it.each([
    [renewalWorker.id, renewalWorkQueue],
    [billingInbox.id, billingInboxQueue],
    [invoiceNumbering.id, invoiceNumberingQueue],
  ] as const)('feeds %s from its queue in batches, reporting failed messages one by one', (id, queue) => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(id) },
      BatchSize: queue.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: {
        'Fn::GetAtt': [
          logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: queueName('dev', queue) }),
          'Arn',
        ],
      },
    });
  });

  it('feeds the stream consumer from the ledger stream, bisecting a failed batch, with bounded retries and a failure queue', () => {
    // Prepare
    const failures = logicalIdOf(template, 'AWS::SQS::Queue', {
      QueueName: `lindung-dev-${reportsProjector.id}-failures`,
    });
    const table = logicalIdOf(template, 'AWS::DynamoDB::Table', { TableName: tableName('dev', ledgerTable) });

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(reportsProjector.id) },
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 12,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } } },
    });
  });

  it('schedules the scheduled function on its cron in Asia/Jakarta, with retries and a dead-letter queue', () => {
    // Prepare
    const failures = logicalIdOf(template, 'AWS::SQS::Queue', {
      QueueName: `lindung-dev-${periodRoll.id}-failures`,
    });

    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Jakarta',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionId(periodRoll.id), 'Arn'] },
        Input: scheduledInvocationInput,
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failures, 'Arn'] } },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId(periodRoll.id) },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } } },
    });
  });

  it('alarms on the failure queues of the stream and the schedule', () => {
    // Assess
    for (const id of [reportsProjector.id, periodRoll.id]) {
      const failures = logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: `lindung-dev-${id}-failures` });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failures, 'QueueName'] } }],
        Threshold: 0,
      });
    }
  });

  it('refuses a queue consumer that may run longer than its queue hides a message', () => {
    // Prepare
    const tooSlow = { ...renewalWorker, timeoutSeconds: renewalWorkQueue.visibilityTimeoutSeconds + 1 };

    // Act & Assess
    expect(() => buildStack('dev', { functions: [httpApiFunction, tooSlow] })).toThrow(
      /exceeds the visibility timeout/,
    );
  });
});
