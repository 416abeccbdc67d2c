import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { scheduledInvocationInput, type Trigger } from '../../functions/registry.js';
import type { LindungFunction } from './lindung-function.js';
import { alarmOnDeadLetters, type Queues } from './queues.js';
import type { StageSettings } from './stage.js';
import type { Storage } from './storage.js';

type TriggerOf<K extends Trigger['kind']> = Extract<Trigger, { kind: K }>;

/** How far a stream consumer may fall behind the table before someone looks. */
const streamMaximumLag = Duration.minutes(5);
/** How often the scheduler retries delivering an invocation, and for how long. */
const scheduleRetryAttempts = 3;
const scheduleMaximumEventAge = Duration.hours(1);

/** A queue for what a trigger finally failed to deliver, with the same alarm as every dead-letter queue. */
class FailureQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: { queueName: string; reason: string }) {
    super(scope, id);
    // Only failure metadata and fixed schedule payloads land here, so SQS-managed encryption suffices.
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: props.reason });
    this.alarm = alarmOnDeadLetters(this, 'Alarm', this.queue, props.queueName);
  }
}

/** An SQS consumer: batches of the queue's size, failed messages reported one by one. */
export class QueueTrigger extends Construct {
  constructor(
    scope: Construct,
    id: string,
    fn: LindungFunction,
    trigger: TriggerOf<'queue'>,
    queues: Queues,
  ) {
    super(scope, id);
    const { definition } = fn;
    // A message must stay invisible for as long as a consumer may work on it, or it is delivered twice.
    if (definition.timeoutSeconds > trigger.queue.visibilityTimeoutSeconds) {
      throw new Error(
        `${definition.id}: timeout ${definition.timeoutSeconds}s exceeds the visibility timeout of ` +
          `${trigger.queue.id} (${trigger.queue.visibilityTimeoutSeconds}s)`,
      );
    }
    fn.handler.addEventSource(
      new sources.SqsEventSource(queues.queue(trigger.queue), {
        batchSize: trigger.queue.batchSize,
        reportBatchItemFailures: true,
        ...(trigger.maxConcurrency !== undefined && { maxConcurrency: trigger.maxConcurrency }),
      }),
    );
  }
}

/**
 * A DynamoDB stream consumer: partial batch failures, a failed batch split in two until the failing record
 * is alone, bounded retries, then a failure queue; an alarm when it falls behind the table (the stream's
 * equivalent of a queue's oldest message).
 */
export class StreamTrigger extends Construct {
  readonly failures: FailureQueue;
  readonly lagAlarm: cloudwatch.Alarm;

  constructor(
    scope: Construct,
    id: string,
    fn: LindungFunction,
    trigger: TriggerOf<'stream'>,
    storage: Storage,
    settings: StageSettings,
  ) {
    super(scope, id);
    if (!trigger.table.stream) {
      throw new Error(`${fn.definition.id}: table ${trigger.table.id} has no stream to consume`);
    }
    this.failures = new FailureQueue(this, 'Failures', {
      queueName: `lindung-${settings.name}-${fn.definition.id}-failures`,
      reason:
        'On-failure destination of a stream consumer: it receives batch metadata (shard, sequence numbers) ' +
        'for a person to replay from the stream; it is a dead-letter queue itself and alarms on depth.',
    });
    fn.handler.addEventSource(
      new sources.DynamoEventSource(storage.table(trigger.table), {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: trigger.batchSize,
        maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        bisectBatchOnError: trigger.bisectBatchOnFunctionError,
        retryAttempts: trigger.retryAttempts,
        ...(trigger.filters && {
          filters: trigger.filters.map((pattern) => lambda.FilterCriteria.filter({ ...pattern })),
        }),
        onFailure: new sources.SqsDlq(this.failures.queue),
      }),
    );
    this.lagAlarm = fn.handler
      .metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, 'LagAlarm', {
        alarmDescription: `${fn.definition.id}: more than ${streamMaximumLag.toMinutes()} minutes behind the ${trigger.table.id} stream`,
        threshold: streamMaximumLag.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}

/**
 * An EventBridge Scheduler schedule on a cron in Asia/Jakarta. Scheduler invokes asynchronously, so
 * both its undeliverable invocations and the function's own failed ones end in the same failure queue.
 */
export class ScheduleTrigger extends Construct {
  readonly failures: FailureQueue;
  readonly schedule: scheduler.CfnSchedule;

  constructor(
    scope: Construct,
    id: string,
    fn: LindungFunction,
    trigger: TriggerOf<'schedule'>,
    settings: StageSettings,
  ) {
    super(scope, id);
    const name = `lindung-${settings.name}-${fn.definition.id}`;
    this.failures = new FailureQueue(this, 'Failures', {
      queueName: `${name}-failures`,
      reason:
        'Dead-letter target of a schedule and of its function’s asynchronous invocations; it is a ' +
        'dead-letter queue itself and alarms on depth.',
    });

    const role = new iam.Role(this, 'Role', {
      description: `EventBridge Scheduler: invoke ${fn.handler.functionName}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    // The unqualified ARN only: `grantInvoke` would add `:*` for every version and alias.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.handler.functionArn] }),
    );
    this.failures.queue.grantSendMessages(role);

    fn.handler.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: scheduleMaximumEventAge,
      onFailure: new destinations.SqsDestination(this.failures.queue),
    });

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name,
      description: fn.definition.description,
      scheduleExpression: `cron(${trigger.cron})`,
      scheduleExpressionTimezone: trigger.timezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fn.handler.functionArn,
        roleArn: role.roleArn,
        // The scheduled time lets the handler work out which period it runs for, even when retried late.
        input: scheduledInvocationInput,
        retryPolicy: {
          maximumRetryAttempts: scheduleRetryAttempts,
          maximumEventAgeInSeconds: scheduleMaximumEventAge.toSeconds(),
        },
        deadLetterConfig: { arn: this.failures.queue.queueArn },
      },
    });
  }
}
