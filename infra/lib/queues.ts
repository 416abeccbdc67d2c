import { deadLetterQueueName, type QueueDefinition, queueName } from '@lindung/messaging';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { constructId, type StageSettings } from './stage.js';

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

export interface WorkQueueProps {
  readonly settings: StageSettings;
  readonly definition: QueueDefinition;
  /** Customer-managed key, used when the definition says the queue carries personal data. */
  readonly dataKey: kms.IKey;
}

/**
 * One shared queue definition (packages/messaging) on SQS: the queue, its dead-letter queue and their
 * alarms. Personal data is encrypted with the customer-managed key, the rest with SQS-managed keys.
 */
export class WorkQueue extends Construct {
  readonly definition: QueueDefinition;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { definition, settings } = props;
    this.definition = definition;
    const encryption = definition.holdsPersonalData
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.dataKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    // A FIFO queue's dead-letter queue must be FIFO too; de-duplication ids are the sender's, never the body's.
    const fifo = definition.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      queueName: deadLetterQueueName(settings.name, definition),
      ...fifo,
      retentionPeriod: Duration.days(definition.dlqRetentionDays),
      enforceSSL: true,
      ...encryption,
    });
    this.queue = new sqs.Queue(this, 'Resource', {
      queueName: queueName(settings.name, definition),
      ...fifo,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      enforceSSL: true,
      ...encryption,
    });
    alarmOnDeadLetters(this, 'DeadLettersAlarm', this.deadLetterQueue, definition.id);
    // A message older than all its delivery attempts could take is not being consumed at all.
    this.queue
      .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, 'OldestMessageAlarm', {
        alarmDescription: `${definition.id}: the oldest message has waited longer than its retries allow; is the consumer running?`,
        threshold: definition.visibilityTimeoutSeconds * definition.maxReceiveCount,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}

/**
 * Every deployed queue by its shared definition, whichever context owns it: grants, environments and
 * triggers look queues up here.
 */
export class Queues {
  private readonly byId = new Map<string, WorkQueue>();

  /** Records a context's queue; a definition is deployed once. */
  add(workQueue: WorkQueue): void {
    const { id } = workQueue.definition;
    if (this.byId.has(id)) throw new Error(`Queue '${id}' is deployed by two contexts`);
    this.byId.set(id, workQueue);
  }

  /** Throws unless a context has deployed every one of these definitions. */
  requireAll(definitions: readonly QueueDefinition[]): void {
    const missing = definitions.filter((definition) => !this.byId.has(definition.id));
    if (missing.length > 0) {
      throw new Error(
        `No context deploys the queue(s) ${missing.map((definition) => definition.id).join(', ')}`,
      );
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

  private deployed(definition: QueueDefinition): WorkQueue {
    const deployed = this.byId.get(definition.id);
    if (!deployed) {
      throw new Error(
        `No queue '${definition.id}' deployed yet: which context owns it, and is it built first?`,
      );
    }
    return deployed;
  }
}

export interface QueueDeployment {
  readonly settings: StageSettings;
  readonly dataKey: kms.IKey;
  /** Where the deployed queues are recorded for the contexts built after. */
  readonly queues: Queues;
}

/** Deploys a context's shared queue definitions under its scope and records them in `queues`. */
export const deployQueues = (
  scope: Construct,
  definitions: readonly QueueDefinition[],
  { settings, dataKey, queues }: QueueDeployment,
): WorkQueue[] =>
  definitions.map((definition) => {
    // `Queue` keeps the id apart from a function of the same name (billing-inbox is both).
    const id = `${constructId(definition.id)}Queue`;
    const workQueue = new WorkQueue(scope, id, { settings, definition, dataKey });
    queues.add(workQueue);
    return workQueue;
  });
