import { ArnFormat, Aspects, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import type { StageSettings } from './stage.js';

/** Sends every CloudWatch alarm in its scope to one SNS action, when it fires and when it clears. */
class AlarmsNotify implements IAspect {
  constructor(private readonly action: cloudwatch.IAlarmAction) {}

  visit(node: IConstruct): void {
    if (node instanceof cloudwatch.Alarm) {
      node.addAlarmAction(this.action);
      node.addOkAction(this.action);
    }
  }
}

/**
 * The stage's alarm topic: every alarm of the stack (dead letters, message age, function errors and
 * throttles, API 5xx, whatever is added later) notifies it, and it e-mails the stage's `alarmEmails`.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: { readonly settings: StageSettings }) {
    super(scope, id);
    const { settings } = props;
    // Its own key rather than the data key: CloudWatch must be allowed to use it, and it should not be
    // able to use the key that guards personal data. (The AWS managed SNS key admits no such grant.)
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/lindung-${settings.name}-alarms`,
      description: 'Lindung: the alarm topic',
      enableKeyRotation: true,
      removalPolicy: settings.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, `*` is this key
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `lindung-${settings.name}-alarms`,
      displayName: `Lindung ${settings.name} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy exists (it refuses plain HTTP), so CloudWatch needs an explicit allow in it.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    for (const email of settings.alarmEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    Aspects.of(scope).add(new AlarmsNotify(new actions.SnsAction(this.topic)));
  }
}
