import {
  billingOutboxQueue,
  deadLetterQueueUrlEnvName,
  importWorkQueue,
  invoiceNumberingQueue,
  type QueueDefinition,
  queueDefinitions,
  queueUrlEnvName,
  renewalWorkQueue,
} from '@lindung/messaging';
import {
  idempotencyTable,
  ledgerTable,
  reportsTable,
  type TableDefinition,
  tableDefinitions,
  tableEnvName,
} from '@lindung/store';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { LindungFunction } from './lindung-function.js';
import type { Queues } from './queues.js';
import type { Storage } from './storage.js';

export type TableAccess = 'read' | 'read-write';

/** What a function may touch beyond its own trigger. */
export interface FunctionAccess {
  readonly tables: readonly { readonly table: TableDefinition; readonly access: TableAccess }[];
  readonly sendsTo: readonly QueueDefinition[];
  /** Reads the state of every table and queue (GET /health), but none of their items or messages. */
  readonly observesHealth: boolean;
  /** Turns NIKs into worker keys, so it needs the NIK hashing key. */
  readonly hashesNiks: boolean;
  /** Moves dead letters back to their source queues (POST /v1/operations/redrive). */
  readonly redrivesDeadLetters?: boolean;
}

const noAccess: FunctionAccess = { tables: [], sendsTo: [], observesHealth: false, hashesNiks: false };

/**
 * Least privilege, per function id of functions/registry.ts. A function not listed here gets nothing
 * beyond what its trigger needs (consuming its queue, reading its stream); so does the local-only
 * billing-simulator, which is never deployed.
 */
export const functionAccess: Readonly<Record<string, FunctionAccess>> = {
  'http-api': {
    tables: [
      { table: ledgerTable, access: 'read-write' },
      { table: idempotencyTable, access: 'read-write' },
      { table: reportsTable, access: 'read' },
    ],
    // POST /v1/periods/{period}/roll fans the roll out as renewal work; an import is queued as a job.
    sendsTo: [renewalWorkQueue, importWorkQueue],
    observesHealth: true,
    hashesNiks: true,
    redrivesDeadLetters: true,
  },
  'period-roll': {
    // Reads the active commitments and their allocations, marks ended commitments closed; evaluates the
    // incentive schemes whose period ended (awards in the ledger table, regions' targets from the reports).
    tables: [
      { table: ledgerTable, access: 'read-write' },
      { table: reportsTable, access: 'read' },
    ],
    sendsTo: [renewalWorkQueue],
    observesHealth: false,
    hashesNiks: false,
  },
  'renewal-worker': {
    // Renews or ends the coverage of one (period, commitment, village); drafts its invoice and asks for its
    // number (a retried roll may also hand an issued invoice to billing).
    tables: [{ table: ledgerTable, access: 'read-write' }],
    sendsTo: [invoiceNumberingQueue, billingOutboxQueue],
    observesHealth: false,
    hashesNiks: false,
  },
  'invoice-numbering': {
    // Issues drafts under the sponsor's next numbers (sequence item and headers), hands them to billing.
    tables: [{ table: ledgerTable, access: 'read-write' }],
    sendsTo: [billingOutboxQueue],
    observesHealth: false,
    hashesNiks: false,
  },
  'billing-inbox': {
    // Applies acknowledgements, payments and rejections; a rejection voids the invoice.
    tables: [{ table: ledgerTable, access: 'read-write' }],
    sendsTo: [billingOutboxQueue],
    observesHealth: false,
    hashesNiks: false,
  },
  'billing-resend': {
    // Finds invoices billing has not answered (the sponsors' invoice index), records each resend; asks
    // again for the number of a draft whose numbering request was lost.
    tables: [{ table: ledgerTable, access: 'read-write' }],
    sendsTo: [invoiceNumberingQueue, billingOutboxQueue],
    observesHealth: false,
    hashesNiks: false,
  },
  'import-worker': {
    // Reads a job's rows and enrolls them (the enrollment transaction); hands the rest of a job on.
    tables: [{ table: ledgerTable, access: 'read-write' }],
    sendsTo: [importWorkQueue],
    observesHealth: false,
    hashesNiks: true,
  },
  'reports-projector': {
    // Its ledger changes arrive on the stream; it looks up what they refer to and writes the rollups.
    tables: [
      { table: ledgerTable, access: 'read' },
      { table: reportsTable, access: 'read-write' },
    ],
    sendsTo: [],
    observesHealth: false,
    hashesNiks: false,
  },
};

/** The access of a function id: its entry in `functionAccess`, or nothing. */
export const accessOf = (functionId: string): FunctionAccess => functionAccess[functionId] ?? noAccess;

// No Scan: request paths read by key (STYLE.md point 4). Transactions need the per-item actions.
const readActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const writeActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/**
 * The environment through which the handlers find the tables and queues they may use (packages/store,
 * packages/messaging). A trigger's own queue or stream needs none: its records arrive in the event.
 */
export const environmentOf = (
  access: FunctionAccess,
  storage: Storage,
  queues: Queues,
): Record<string, string> => {
  const tables = access.observesHealth ? tableDefinitions : access.tables.map(({ table }) => table);
  const queuesUsed = access.observesHealth ? queueDefinitions : access.sendsTo;
  const environment: Record<string, string> = {};
  for (const table of tables) {
    environment[tableEnvName(table)] = storage.table(table).tableName;
  }
  for (const queue of queuesUsed) {
    environment[queueUrlEnvName(queue)] = queues.queue(queue).queueUrl;
    if (access.observesHealth) {
      environment[deadLetterQueueUrlEnvName(queue)] = queues.deadLetterQueue(queue).queueUrl;
    }
  }
  if (access.hashesNiks) {
    // Only the secret's ARN: the function reads the key on its first invocation through the Parameters and
    // Secrets extension (functions/shared/nik-hash-key.ts), so the key is in no template and no function
    // configuration.
    environment.NIK_HASH_KEY_SECRET_ARN = storage.nikHashKey.secretArn;
  }
  return environment;
};

/** Grants a function exactly its `FunctionAccess`; trigger permissions come with the trigger. */
export const grantAccess = (
  fn: LindungFunction,
  access: FunctionAccess,
  storage: Storage,
  queues: Queues,
): void => {
  for (const { table: definition, access: level } of access.tables) {
    const table = storage.table(definition);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: level === 'read' ? readActions : [...readActions, ...writeActions],
        // Each index by name rather than `index/*`: a new index is a deliberate grant.
        resources: [
          table.tableArn,
          ...definition.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
        ],
      }),
    );
    if (level === 'read') table.encryptionKey?.grantDecrypt(fn.role);
    else table.encryptionKey?.grantEncryptDecrypt(fn.role);
  }
  for (const definition of access.sendsTo) {
    queues.queue(definition).grantSendMessages(fn.role);
  }
  if (access.hashesNiks) storage.nikHashKey.grantRead(fn.role);
  if (access.redrivesDeadLetters) {
    for (const definition of queueDefinitions) {
      const deadLetters = queues.deadLetterQueue(definition);
      // A message move task reads the dead-letter queue and sends to its source with the caller's rights;
      // where SQS offers none (the local emulator), the handler receives, sends and deletes itself.
      deadLetters.grantConsumeMessages(fn.role);
      if (!access.sendsTo.includes(definition)) queues.queue(definition).grantSendMessages(fn.role);
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks'],
          resources: [deadLetters.queueArn],
        }),
      );
    }
  }
  if (access.observesHealth) {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeTable'],
        resources: tableDefinitions.map((definition) => storage.table(definition).tableArn),
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:GetQueueAttributes'],
        resources: queueDefinitions.flatMap((definition) => [
          queues.queue(definition).queueArn,
          queues.deadLetterQueue(definition).queueArn,
        ]),
      }),
    );
  }
};
