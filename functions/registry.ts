/**
 * Every Lambda function of Lindung and what triggers it. The CDK stack deploys these entries and the
 * embedded local stack wires the same handlers to its HTTP server, pollers and scheduler.
 */
import {
  billingInboxQueue,
  billingOutboxQueue,
  importWorkQueue,
  invoiceNumberingQueue,
  type QueueDefinition,
  renewalWorkQueue,
} from '@lindung/messaging';
import {
  ledgerTable,
  REPORTED_CHANGES,
  type StreamFilterPattern,
  type TableDefinition,
} from '@lindung/store';

export type Trigger =
  | { readonly kind: 'http' }
  | {
      readonly kind: 'queue';
      readonly queue: QueueDefinition;
      /** The most concurrent invocations the queue's event source starts (Lambda's `MaximumConcurrency`). */
      readonly maxConcurrency?: number;
    }
  | {
      readonly kind: 'stream';
      readonly table: TableDefinition;
      /** The most records one invocation receives: bounds a batch's work, so it must fit the timeout. */
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
      /** Retries of a failed batch before its records go to the failure queue. */
      readonly retryAttempts: number;
      /** Split a batch whose invocation fails in two and retry each half (BisectBatchOnFunctionError). */
      readonly bisectBatchOnFunctionError: boolean;
      /** Only records matching one of these reach the function (the event source's FilterCriteria). */
      readonly filters?: readonly StreamFilterPattern[];
    }
  | {
      readonly kind: 'schedule';
      /** EventBridge Scheduler cron expression (six fields), evaluated in `timezone`. */
      readonly cron: string;
      readonly timezone: 'Asia/Jakarta';
    };

/**
 * What a scheduled function receives. On AWS the schedule's input template fills `scheduledTime` with
 * `<aws.scheduler.scheduled-time>`; the local scheduler passes the same shape.
 */
export interface ScheduledInvocation {
  readonly scheduledTime: string;
}

/** The input template of an EventBridge Scheduler target producing a {@link ScheduledInvocation}. */
export const scheduledInvocationInput = JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' });

export interface FunctionDefinition {
  readonly id: string;
  readonly description: string;
  /** Path of the entry file, relative to the repository root. */
  readonly entry: string;
  readonly trigger: Trigger;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Concurrency reserved for the function (a ceiling, and a floor other functions cannot take). */
  readonly reservedConcurrency?: number;
  /** Runs only on the embedded local stack (e.g. the BPJS billing simulator). */
  readonly localOnly?: boolean;
}

export const httpApiFunction: FunctionDefinition = {
  id: 'http-api',
  description: 'The HTTP API v1 (API Gateway HTTP API, payload v2)',
  entry: 'functions/http/api.ts',
  trigger: { kind: 'http' },
  memoryMb: 1024,
  timeoutSeconds: 29,
  // Bounds what a flood of requests can cost (the route throttles come first) and keeps concurrency free for
  // the roll and billing consumers.
  reservedConcurrency: 50,
};

export const periodRollFunction: FunctionDefinition = {
  id: 'period-roll',
  description:
    'Fans the period roll out to renewal-work: at 00:05 on the 1st, then hourly for every village not rolled yet',
  entry: 'functions/schedule/period-roll.ts',
  // Hourly, not monthly: a run sends units only for villages not rolled through the month yet, so a lost
  // unit is sent again within the hour, and a run after all have rolled reads and writes next to nothing.
  trigger: { kind: 'schedule', cron: '5 * * * ? *', timezone: 'Asia/Jakarta' },
  memoryMb: 512,
  timeoutSeconds: 300,
};

export const renewalWorkerFunction: FunctionDefinition = {
  id: 'renewal-worker',
  description: 'Rolls one village of one commitment through a period and drafts its invoice',
  entry: 'functions/queue/renewal-worker.ts',
  // No two villages write the same item (the invoice number comes later, from invoice-numbering); bounded so
  // the roll leaves the account's concurrency to the API.
  trigger: { kind: 'queue', queue: renewalWorkQueue, maxConcurrency: 10 },
  memoryMb: 1024,
  // Below the queue's visibility timeout, so a message is never processed twice at once.
  timeoutSeconds: 150,
};

export const invoiceNumberingFunction: FunctionDefinition = {
  id: 'invoice-numbering',
  description:
    "Issues drafted invoices under the sponsor's gap-free numbers, a batch a transaction, and sends them to billing",
  entry: 'functions/queue/invoice-numbering.ts',
  // FIFO: one batch of a sponsor's year in flight at a time, whatever the concurrency (groups run side by side).
  trigger: { kind: 'queue', queue: invoiceNumberingQueue },
  memoryMb: 512,
  // Below the queue's visibility timeout, so a batch is never processed twice at once.
  timeoutSeconds: 30,
};

export const billingInboxFunction: FunctionDefinition = {
  id: 'billing-inbox',
  description: 'Applies BPJS billing answers (acknowledged, paid, rejected) to invoices',
  entry: 'functions/queue/billing-inbox.ts',
  trigger: { kind: 'queue', queue: billingInboxQueue },
  memoryMb: 512,
  timeoutSeconds: 30,
};

export const billingResendFunction: FunctionDefinition = {
  id: 'billing-resend',
  description:
    'Sends invoices that billing has not answered again (every 10 minutes; LINDUNG_BILLING_RESEND_AFTER_MINUTES)',
  entry: 'functions/schedule/billing-resend.ts',
  trigger: { kind: 'schedule', cron: '*/10 * * * ? *', timezone: 'Asia/Jakarta' },
  memoryMb: 512,
  timeoutSeconds: 120,
};

export const billingSimulatorFunction: FunctionDefinition = {
  id: 'billing-simulator',
  description: 'Local stand-in for BPJS billing: acknowledges and pays issued invoices',
  entry: 'functions/queue/billing-simulator.ts',
  trigger: { kind: 'queue', queue: billingOutboxQueue },
  memoryMb: 256,
  timeoutSeconds: 30,
  localOnly: true,
};

export const reportsProjectorFunction: FunctionDefinition = {
  id: 'reports-projector',
  description:
    'Folds ledger table changes (its stream) into the coverage and budget rollups of the reports table',
  entry: 'functions/stream/reports-projector.ts',
  // Batches of up to 1,000 records keep the projection cheap where records share villages (an import); the
  // handler projects them in chunks of at most 100 villages and stops short of its timeout, leaving the rest
  // of a batch that touches hundreds (an approval, the year-end close) to the next invocation. A failed batch
  // is halved until the failing record is alone: 10 halvings for 1,000 records, if they count as retries;
  // 12 retries still retry that record before the failure queue gets it.
  trigger: {
    kind: 'stream',
    table: ledgerTable,
    batchSize: 1000,
    maxBatchingWindowSeconds: 5,
    retryAttempts: 12,
    bisectBatchOnFunctionError: true,
    // Most of the stream (claims, invoice line chunks, import rows…) reports nothing: filtered out before a batch.
    filters: REPORTED_CHANGES,
  },
  memoryMb: 1024,
  timeoutSeconds: 120,
};

export const importWorkerFunction: FunctionDefinition = {
  id: 'import-worker',
  description:
    'Enrolls the rows of a bulk import job, chunk by chunk, handing the rest on before its timeout',
  entry: 'functions/queue/import-worker.ts',
  trigger: { kind: 'queue', queue: importWorkQueue },
  memoryMb: 1024,
  // Below the queue's visibility timeout: a slice's lease on its job has run out before its message returns.
  timeoutSeconds: 120,
};

export const functionDefinitions: readonly FunctionDefinition[] = [
  httpApiFunction,
  periodRollFunction,
  renewalWorkerFunction,
  invoiceNumberingFunction,
  billingInboxFunction,
  billingResendFunction,
  billingSimulatorFunction,
  reportsProjectorFunction,
  importWorkerFunction,
];
