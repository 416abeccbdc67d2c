import { Match } from 'aws-cdk-lib/assertions';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { functionName } from '../lib/stage.js';
import { mirroredRegistry } from './fixtures/registry.js';
import { buildStack, logicalIdOf, propertiesOf } from './support.js';

describe('AlarmTopic', () => {
  const dev = buildStack('dev', { functions: mirroredRegistry });
  const prod = buildStack('prod', {
    functions: mirroredRegistry,
    alarmEmails: ['ops@example.go.id', 'oncall@example.go.id'],
  });
  const topicOf = ({ stack }: typeof dev) => ({
    Ref: stack.getLogicalId(stack.alarms.topic.node.defaultChild as CfnTopic),
  });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('notifies the %s topic of every alarm, when it fires and when it clears', (_stage, built) => {
    // Act
    const alarms = propertiesOf(built.template, 'AWS::CloudWatch::Alarm');

    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topicOf(built)]);
      expect(alarm.OKActions).toEqual([topicOf(built)]);
    }
  });

  it('encrypts the topic with its own rotated key that CloudWatch may use, and refuses plain HTTP', () => {
    // Prepare
    const { stack, template } = dev;
    const keyId = stack.getLogicalId(stack.alarms.key.node.defaultChild as CfnKey);

    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'lindung-dev-alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicOf(dev)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
  });

  it('e-mails the addresses of the stage, and nobody in a dev stage without any', () => {
    // Assess
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    prod.template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of ['ops@example.go.id', 'oncall@example.go.id']) {
      prod.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: topicOf(prod),
      });
    }
  });

  it.each(
    mirroredRegistry.filter((definition) => !definition.localOnly).map((definition) => [definition.id]),
  )('alarms on errors and throttles of %s', (id) => {
    // Prepare
    const fn = logicalIdOf(dev.template, 'AWS::Lambda::Function', { FunctionName: functionName('dev', id) });

    // Assess
    for (const metric of ['Errors', 'Throttles']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('alarms on 5xx responses of the HTTP API', () => {
    // Prepare
    const { stack, template } = dev;

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [
        { Name: 'ApiId', Value: { Ref: stack.getLogicalId(stack.api.httpApi.node.defaultChild as never) } },
      ],
      Threshold: 0,
    });
  });

  it('alarms when the reports projector falls behind the ledger stream', () => {
    // Prepare
    const fn = logicalIdOf(dev.template, 'AWS::Lambda::Function', {
      FunctionName: functionName('dev', 'reports-projector'),
    });

    // Assess
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Threshold: 5 * 60 * 1000,
    });
  });
});
