/**
 * The SQS queues of Lindung, as plain data shared by the CDK stack and the embedded local stack.
 * Every queue has a dead-letter queue; a message that fails `maxReceiveCount` times moves there.
 */

export interface QueueDefinition {
  /** Logical id, stable across environments; the physical name gets a stage prefix. */
  readonly id: string;
  readonly description: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** How many messages one consumer invocation receives. */
  readonly batchSize: number;
  readonly retentionDays: number;
  readonly dlqRetentionDays: number;
  /** Carries personal data (NIK, names): encrypted with the customer-managed key on AWS. */
  readonly holdsPersonalData: boolean;
}

export const renewalWorkQueue: QueueDefinition = {
  id: 'renewal-work',
  description: 'One message per (period, commitment, village) for the renewal worker',
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
  batchSize: 5,
  retentionDays: 14,
  dlqRetentionDays: 14,
  holdsPersonalData: false,
};

export const billingOutboxQueue: QueueDefinition = {
  id: 'billing-outbox',
  description: 'Invoices issued or voided, for BPJS billing',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  batchSize: 10,
  retentionDays: 14,
  dlqRetentionDays: 14,
  holdsPersonalData: true,
};

export const billingInboxQueue: QueueDefinition = {
  id: 'billing-inbox',
  description: 'Acknowledgements, payments and rejections from BPJS billing',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  batchSize: 10,
  retentionDays: 14,
  dlqRetentionDays: 14,
  holdsPersonalData: false,
};

/**
 * One message per slice of an import job: the worker enrolls chunks of rows while its time lasts, then hands
 * the rest on as a new message. The visibility timeout outlasts the worker's timeout (and so its lease on the
 * job), so a redelivered message finds the lease of a crashed worker expired.
 */
export const importWorkQueue: QueueDefinition = {
  id: 'import-work',
  description: 'Bulk enrollment import jobs, a slice of chunks per message, for the import worker',
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
  // A message is a slice of a job that uses the whole invocation: one at a time.
  batchSize: 1,
  retentionDays: 14,
  dlqRetentionDays: 14,
  // The message names a job; the rows (with NIKs) stay in the ledger table.
  holdsPersonalData: false,
};

export const queueDefinitions: readonly QueueDefinition[] = [
  renewalWorkQueue,
  billingOutboxQueue,
  billingInboxQueue,
  importWorkQueue,
];

/** Physical queue name for a stage, e.g. `lindung-dev-renewal-work`. */
export const queueName = (stage: string, queue: QueueDefinition): string => `lindung-${stage}-${queue.id}`;

/** Physical name of a queue's dead-letter queue. */
export const deadLetterQueueName = (stage: string, queue: QueueDefinition): string =>
  `${queueName(stage, queue)}-dlq`;

/** Name of the environment variable through which a function learns a queue's URL. */
export const queueUrlEnvName = (queue: QueueDefinition): string =>
  `QUEUE_URL_${queue.id.toUpperCase().replaceAll('-', '_')}`;

/** Name of the environment variable through which a function learns a queue's dead-letter queue URL. */
export const deadLetterQueueUrlEnvName = (queue: QueueDefinition): string => `${queueUrlEnvName(queue)}_DLQ`;
