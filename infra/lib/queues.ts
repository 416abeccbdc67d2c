import { deadLetterQueueName, type QueueDefinition, queueDefinitions, queueName } from '@lindung/messaging';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { constructId, type StageSettings } from './stage.js';

export interface QueuesProps {
  readonly settings: StageSettings;
  /** Customer-managed key for the queues that carry personal data. */
  readonly dataKey: kms.IKey;
}

interface DeployedQueue {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** Any message in a dead-letter queue needs a person: alarm on the first one. */
export const alarmOnDeadLetters = (
  scope: Construct,
  id: string,
  deadLetterQueue: sqs.IQueue,
  what: string,
): cloudwatch.Alarm =>
  deadLetterQueue
    .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
    .createAlarm(scope, id, {
      alarmDescription: `${what}: messages in the dead-letter queue need investigation and a redrive`,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

/**
 * The SQS queues, one per shared definition (packages/messaging), each with its dead-letter queue and
 * alarms. Personal data is encrypted with the customer-managed key, the rest with SQS-managed keys.
 */
export class Queues extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly queues = new Map<string, DeployedQueue>();

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    for (const definition of queueDefinitions) {
      const name = constructId(definition.id);
      const encryption = definition.holdsPersonalData
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.dataKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED };
      const deadLetterQueue = new sqs.Queue(this, `${name}DeadLetters`, {
        queueName: deadLetterQueueName(props.settings.name, definition),
        retentionPeriod: Duration.days(definition.dlqRetentionDays),
        enforceSSL: true,
        ...encryption,
      });
      const queue = new sqs.Queue(this, name, {
        queueName: queueName(props.settings.name, definition),
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(definition.retentionDays),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
        enforceSSL: true,
        ...encryption,
      });
      this.alarms.push(
        alarmOnDeadLetters(this, `${name}DeadLettersAlarm`, deadLetterQueue, definition.id),
        // A message older than all its delivery attempts could take is not being consumed at all.
        queue
          .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' })
          .createAlarm(this, `${name}OldestMessageAlarm`, {
            alarmDescription: `${definition.id}: the oldest message has waited longer than its retries allow; is the consumer running?`,
            threshold: definition.visibilityTimeoutSeconds * definition.maxReceiveCount,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 5,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
      this.queues.set(definition.id, { queue, deadLetterQueue });
    }
  }

  /** The deployed queue of a shared definition. */
  queue(definition: QueueDefinition): sqs.Queue {
    return this.deployed(definition).queue;
  }

  /** The dead-letter queue of a shared definition's queue. */
  deadLetterQueue(definition: QueueDefinition): sqs.Queue {
    return this.deployed(definition).deadLetterQueue;
  }

  private deployed(definition: QueueDefinition): DeployedQueue {
    const deployed = this.queues.get(definition.id);
    if (!deployed) throw new Error(`No queue '${definition.id}' in this stack's queues`);
    return deployed;
  }
}
