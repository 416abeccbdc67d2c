/**
 * The DynamoDB tables of Lindung, as plain data. The CDK stack (infra/) and the embedded local stack
 * (packages/local) both build their tables from these definitions, so there is one schema, not two.
 */

export type AttributeType = 'S' | 'N';

export interface KeySchema {
  readonly partitionKey: { readonly name: string; readonly type: AttributeType };
  readonly sortKey?: { readonly name: string; readonly type: AttributeType };
}

export interface GlobalIndexDefinition extends KeySchema {
  readonly indexName: string;
}

export type StreamView = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

export interface TableDefinition extends KeySchema {
  /** Logical id, stable across environments; the physical name gets a stage prefix. */
  readonly id: string;
  readonly description: string;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  readonly stream?: StreamView;
  readonly timeToLiveAttribute?: string;
  /** Holds money or personal data: retained, protected from deletion, encrypted with a customer key. */
  readonly holdsMoneyOrPeople: boolean;
}

/** The main single table: sponsors, commitments, allocations, workers, enrollments, invoices, ledger. */
export const ledgerTable: TableDefinition = {
  id: 'ledger',
  description: 'Sponsors, commitments, allocations, workers, enrollments, invoices and the budget ledger',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
    {
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
    },
  ],
  stream: 'NEW_AND_OLD_IMAGES',
  holdsMoneyOrPeople: true,
};

/** Powertools idempotency records for HTTP requests and queue messages; expired by TTL. */
export const idempotencyTable: TableDefinition = {
  id: 'idempotency',
  description: 'Idempotency records of requests and messages (Powertools idempotency)',
  partitionKey: { name: 'id', type: 'S' },
  globalIndexes: [],
  timeToLiveAttribute: 'expiration',
  holdsMoneyOrPeople: false,
};

/** The reporting read model, rebuilt from the ledger table's stream. */
export const reportsTable: TableDefinition = {
  id: 'reports',
  description: 'Coverage and budget rollups per region and commitment (read model fed by the stream)',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [],
  holdsMoneyOrPeople: false,
};

export const tableDefinitions: readonly TableDefinition[] = [ledgerTable, idempotencyTable, reportsTable];

/** Physical table name for a stage, e.g. `lindung-dev-ledger`. */
export const tableName = (stage: string, table: TableDefinition): string => `lindung-${stage}-${table.id}`;

/** Name of the environment variable through which a function learns a table's physical name. */
export const tableEnvName = (table: TableDefinition): string =>
  `TABLE_${table.id.toUpperCase().replaceAll('-', '_')}`;
