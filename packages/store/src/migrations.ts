/**
 * Data migrations: what a table deployed before a change of its keys needs so that the new code finds its
 * old items. Each migration is idempotent (one conditional write per item, refused once the item is done),
 * resumable (run again, it finds only what is left) and can be checked first (`write: false` counts what it
 * would change and writes nothing). An offline tool's work, like the reports rebuild: a Scan of the table.
 *
 * `allocation-village-index`: allocations made before several sponsors could fund one village (issue 19)
 * carry no `gsi1` keys, so `CommitmentRepository.fundingOf` (enrollment by priority, the funding options)
 * does not see them. The migration gives each the keys every new allocation is written with.
 *
 * `partner-directory`: collection partners registered before the directory of partners have no entry in it,
 * so `GET /v1/partners` does not list them. The migration writes each its entry.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '@lindung/core';
import { type Partner, partnerDirectoryPut } from './deposits.js';
import { ALLOCATION_SK_PREFIX, allocationByVillage, partnerDirectoryKey } from './keys.js';

type Item = Record<string, unknown>;

/** One migration: the items it looks at, whether one still needs it, and the conditional write that does it. */
interface Migration {
  readonly scan: Pick<
    ScanCommandInput,
    'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues' | 'ProjectionExpression'
  >;
  /** A read that tells whether a scanned item still needs the change, where the scan's filter cannot. */
  readonly needs?: (db: DynamoDBDocumentClient, tableName: string, item: Item) => Promise<boolean>;
  /** The write, refused by its condition (`ConditionalCheckFailedException`) once the item is done. */
  readonly apply: (db: DynamoDBDocumentClient, tableName: string, item: Item) => Promise<unknown>;
}

const migrations = {
  'allocation-village-index': {
    scan: {
      FilterExpression: 'begins_with(sk, :allocation) AND attribute_not_exists(gsi1pk)',
      ExpressionAttributeValues: { ':allocation': ALLOCATION_SK_PREFIX },
      ProjectionExpression: 'pk, sk, villageCode, fiscalYear, commitmentId',
    },
    apply: (db, tableName, item) => {
      const keys = allocationByVillage(
        item.villageCode as string,
        item.fiscalYear as number,
        item.commitmentId as string,
      );
      return db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi1pk)',
          ExpressionAttributeValues: { ':pk': keys.gsi1pk, ':sk': keys.gsi1sk },
        }),
      );
    },
  },
  'partner-directory': {
    scan: {
      FilterExpression: 'sk = :partner AND begins_with(pk, :prefix)',
      ExpressionAttributeValues: { ':partner': 'PARTNER', ':prefix': 'PARTNER#' },
      ExpressionAttributeNames: { '#name': 'name' },
      ProjectionExpression: 'id, #name, kind, areaCode, feeRateBasisPoints, createdAt, createdBy',
    },
    needs: async (db, tableName, item) => {
      const key = partnerDirectoryKey(item.areaCode as string, item.id as string);
      const { Item: entry } = await db.send(new GetCommand({ TableName: tableName, Key: key }));
      return entry === undefined;
    },
    apply: (db, tableName, item) => {
      const { Put } = partnerDirectoryPut(tableName, item as unknown as Partner);
      return db.send(new PutCommand(Put as NonNullable<typeof Put>));
    },
  },
} as const satisfies Record<string, Migration>;

export type MigrationName = keyof typeof migrations;
export const MIGRATIONS = Object.keys(migrations) as MigrationName[];

export interface MigrationOptions {
  /** Write the changes (default); `false` only counts the items that need one. */
  readonly write?: boolean;
  /** Parallel scan segments (default 4). */
  readonly segments?: number;
  /** Called after each page of the scan, with the figures so far. */
  readonly progress?: (figures: MigrationResult) => void;
}

export interface MigrationResult {
  readonly name: MigrationName;
  /** Items found that still need the change. */
  readonly pending: number;
  /** Items this run changed. */
  readonly written: number;
  /** Items another run changed between this run's look and its write (its condition refused). */
  readonly alreadyDone: number;
}

/** Writes in flight per scan segment. */
const WRITES_IN_FLIGHT = 8;

/** Runs one migration over the ledger table. */
export const migrate = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  name: MigrationName,
  { write = true, segments = 4, progress }: MigrationOptions = {},
): Promise<MigrationResult> => {
  const migration: Migration = migrations[name];
  const figures = { name, pending: 0, written: 0, alreadyDone: 0 };
  const step = async (item: Item) => {
    if (migration.needs && !(await migration.needs(db, tableName, item))) return;
    figures.pending++;
    if (!write) return;
    try {
      await migration.apply(db, tableName, item);
      figures.written++;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      figures.alreadyDone++;
    }
  };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const pages = paginateScan(
        { client: db },
        {
          TableName: tableName,
          Segment: segment,
          TotalSegments: segments,
          ...migration.scan,
        },
      );
      for await (const page of pages) {
        await mapConcurrently(page.Items ?? [], WRITES_IN_FLIGHT, step);
        progress?.({ ...figures });
      }
    }),
  );
  return figures;
};
