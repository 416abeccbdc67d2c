import { deadLetterQueueName, type QueueDefinition, queueDefinitions, queueName } from '@lindung/messaging';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf, propertiesOf } from './support.js';

const day = 24 * 60 * 60;

describe('Queues', () => {
  const { stack, template } = buildStack('dev');
  const dataKeyArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.dataKey.node.defaultChild as CfnKey), 'Arn'] };
  const encryptionOf = (definition: QueueDefinition) =>
    definition.holdsPersonalData
      ? { KmsMasterKeyId: dataKeyArn, SqsManagedSseEnabled: Match.absent() }
      : { SqsManagedSseEnabled: true, KmsMasterKeyId: Match.absent() };
  // A FIFO queue redrives only to a FIFO dead-letter queue; de-duplication is by the sender's ids.
  const fifoOf = (definition: QueueDefinition) =>
    definition.fifo ? { FifoQueue: true, ContentBasedDeduplication: false } : { FifoQueue: Match.absent() };
  const cases = queueDefinitions.map((definition) => [definition.id, definition] as const);

  it('creates one queue and one dead-letter queue per shared queue definition', () => {
    // Prepare
    const names = queueDefinitions.flatMap((definition) => [
      queueName('dev', definition),
      deadLetterQueueName('dev', definition),
    ]);

    // Act
    const deployed = propertiesOf(template, 'AWS::SQS::Queue')
      .map((queue) => String(queue.QueueName))
      .filter((name) => !name.endsWith('-failures')); // the triggers' own failure queues

    // Assess
    expect(deployed.sort()).toEqual(names.sort());
  });

  it.each(cases)('redrives %s to its dead-letter queue after maxReceiveCount receives', (_id, definition) => {
    // Prepare
    const deadLetterQueueId = logicalIdOf(template, 'AWS::SQS::Queue', {
      QueueName: deadLetterQueueName('dev', definition),
    });

    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: queueName('dev', definition),
      VisibilityTimeout: definition.visibilityTimeoutSeconds,
      MessageRetentionPeriod: definition.retentionDays * day,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueId, 'Arn'] },
        maxReceiveCount: definition.maxReceiveCount,
      },
      ...encryptionOf(definition),
      ...fifoOf(definition),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: deadLetterQueueName('dev', definition),
      MessageRetentionPeriod: definition.dlqRetentionDays * day,
      ...encryptionOf(definition),
      ...fifoOf(definition),
    });
  });

  it.each(cases)('alarms on the first message in the dead-letter queue of %s', (_id, definition) => {
    // Prepare
    const deadLetterQueueId = logicalIdOf(template, 'AWS::SQS::Queue', {
      QueueName: deadLetterQueueName('dev', definition),
    });

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it.each(cases)(
    'alarms when the oldest message of %s outlives all its delivery attempts',
    (_id, definition) => {
      // Prepare
      const queueId = logicalIdOf(template, 'AWS::SQS::Queue', { QueueName: queueName('dev', definition) });

      // Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: definition.visibilityTimeoutSeconds * definition.maxReceiveCount,
      });
    },
  );

  it('refuses requests without TLS on every queue', () => {
    // Act
    const policies = propertiesOf(template, 'AWS::SQS::QueuePolicy');

    // Assess
    expect(policies).toHaveLength(propertiesOf(template, 'AWS::SQS::Queue').length);
    for (const policy of policies) {
      expect(policy).toMatchObject({
        PolicyDocument: {
          Statement: expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });
});
