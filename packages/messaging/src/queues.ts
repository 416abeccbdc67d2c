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
  /**
   * A FIFO queue (its name and its dead-letter queue's end in `.fifo`): every message names a group, and a
   * group's messages are handed out in order, none while one of the group is in flight.
   */
  readonly fifo?: boolean;
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

/**
 * Drafted invoices to number, one message per invoice, grouped by sponsor and year: the group is the single
 * writer of that sponsor's invoice sequence (one batch of a group in flight at a time), so numbering is
 * gap-free without villages racing for the sequence item. De-duplicated by invoice id.
 */
export const invoiceNumberingQueue: QueueDefinition = {
  id: 'invoice-numbering',
  description: "Drafted invoices to number, in order, one group per sponsor's year",
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  batchSize: 10,
  retentionDays: 14,
  dlqRetentionDays: 14,
  // The message names an invoice; its lines (with NIKs) stay in the ledger table.
  holdsPersonalData: false,
  fifo: true,
};

export const queueDefinitions: readonly QueueDefinition[] = [
  renewalWorkQueue,
  billingOutboxQueue,
  billingInboxQueue,
  importWorkQueue,
  invoiceNumberingQueue,
];

const fifoSuffix = (queue: QueueDefinition) => (queue.fifo ? '.fifo' : '');

/** Physical queue name for a stage, e.g. `lindung-dev-renewal-work` (`….fifo` for a FIFO queue). */
export const queueName = (stage: string, queue: QueueDefinition): string =>
  `lindung-${stage}-${queue.id}${fifoSuffix(queue)}`;

/** Physical name of a queue's dead-letter queue (a FIFO queue's is FIFO too). */
export const deadLetterQueueName = (stage: string, queue: QueueDefinition): string =>
  `lindung-${stage}-${queue.id}-dlq${fifoSuffix(queue)}`;

/** Name of the environment variable through which a function learns a queue's URL. */
export const queueUrlEnvName = (queue: QueueDefinition): string =>
  `QUEUE_URL_${queue.id.toUpperCase().replaceAll('-', '_')}`;

/** Name of the environment variable through which a function learns a queue's dead-letter queue URL. */
export const deadLetterQueueUrlEnvName = (queue: QueueDefinition): string => `${queueUrlEnvName(queue)}_DLQ`;
