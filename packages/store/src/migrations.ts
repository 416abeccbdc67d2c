/**
 * Data migrations: what a table deployed before a change of its keys needs so that the new code finds its
 * old items. Each migration is idempotent (one conditional write per item, refused once the item is done),
 * resumable (run again, it finds only what is left) and can be checked first (`write: false` counts what it
 * would change and writes nothing). An offline tool's work, like the reports rebuild: a Scan of the table.
 *
 * `allocation-village-index`: allocations made before several sponsors could fund one village (issue 19)
 * carry no `gsi1` keys, so `CommitmentRepository.fundingOf` (enrollment by priority, the funding options)
 * does not see them. The migration gives each the keys every new allocation is written with.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '@lindung/core';
import { ALLOCATION_SK_PREFIX, allocationByVillage } from './keys.js';

export const MIGRATIONS = ['allocation-village-index'] as const;
export type MigrationName = (typeof MIGRATIONS)[number];

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
  /** Items the scan looked at (the filter's matches: items that still need the change). */
  readonly pending: number;
  /** Items this run changed. */
  readonly written: number;
  /** Items another run changed between this run's scan and its write (its condition refused). */
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
  const figures = { name, pending: 0, written: 0, alreadyDone: 0 };
  const backfill = async (item: Record<string, unknown>) => {
    const keys = allocationByVillage(
      item.villageCode as string,
      item.fiscalYear as number,
      item.commitmentId as string,
    );
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi1pk)',
          ExpressionAttributeValues: { ':pk': keys.gsi1pk, ':sk': keys.gsi1sk },
        }),
      );
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
          FilterExpression: 'begins_with(sk, :allocation) AND attribute_not_exists(gsi1pk)',
          ExpressionAttributeValues: { ':allocation': ALLOCATION_SK_PREFIX },
          ProjectionExpression: 'pk, sk, villageCode, fiscalYear, commitmentId',
        },
      );
      for await (const page of pages) {
        const items = page.Items ?? [];
        figures.pending += items.length;
        if (write) await mapConcurrently(items, WRITES_IN_FLIGHT, backfill);
        progress?.({ ...figures });
      }
    }),
  );
  return figures;
};
