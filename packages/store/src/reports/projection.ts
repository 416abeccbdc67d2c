/**
 * The projector's use case: a batch of ledger table changes (stream records, functions/stream/
 * reports-projector.ts) applied to the reporting read model in the reports table.
 *
 * How a batch is applied, and why replays are safe:
 * 1. **Cells** (one per allocation, and one per commitment): every record sets the one attribute its source
 *    item owns to what the item says now (report-cells.ts). One UpdateItem per touched cell per batch.
 *    Idempotent: a redelivered record sets the value it set before, and the newer records of the same item,
 *    which DynamoDB Streams delivers after it, set the newer one. No delta is ever added, so nothing is
 *    counted twice.
 * 2. **Rollups** per scope (every sponsor's cells of a year, one sponsor's, one commitment's) and region
 *    level (district → regency/city → province → national; a village's figures are its cells) are
 *    recomputed as absolute values from their children (rollups.ts): one Put per touched rollup per batch,
 *    whatever the number of records, and one read of a touched district's village cells for all its scopes.
 *    Each Put is conditional on the version read before the children: when two batches (two stream shards)
 *    recompute the same rollup at once, the one that read older children fails its condition and
 *    recomputes, so the last write holds the latest children.
 * Absolute values also make the read model self-healing (any later change of a village corrects the rollups
 * above it) and make the rebuild the same computation over all source items.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '@lindung/core';
import { commitmentKey } from '../keys.js';
import {
  type CommitmentFacts,
  foldContributions,
  type SourceChange,
  type SourceItem,
} from '../report-cells.js';
import { recomputeAbove, type WrittenCell } from './rollups.js';
import { cellHeader, type ReportsTable, reportKeys } from './table.js';

export interface ProjectionOutcome {
  readonly records: number;
  readonly cells: number;
  readonly rollups: number;
}

/** Projects ledger table changes onto the reports table; remembers the commitments it has met. */
export class Projector {
  private readonly facts = new Map<string, Promise<CommitmentFacts | undefined>>();

  constructor(
    private readonly table: ReportsTable,
    private readonly ledgerTableName: string,
  ) {}

  /** Applies a batch of ledger table changes (stream records, in stream order) to the read model. */
  async project(changes: readonly SourceChange[]): Promise<ProjectionOutcome> {
    for (const change of changes) this.learnFacts(change.newImage);
    const written = await this.writeCells(changes);
    const rollups = await recomputeAbove(this.table, written);
    return { records: changes.length, cells: written.length, rollups };
  }

  /** Sets each touched cell's attributes to what its items say now; cells of a deleted commitment are skipped. */
  private async writeCells(changes: readonly SourceChange[]): Promise<WrittenCell[]> {
    const folded = [...foldContributions(changes).values()];
    const written = await mapConcurrently(folded, this.table.concurrency, async ({ cell, attributes }) => {
      const facts = await this.factsOf(cell.commitmentId);
      if (!facts) return undefined; // a commitment that no longer exists has nothing to report
      await this.table.updateCell(reportKeys.cell(cell, facts), cellHeader(cell, facts), attributes);
      return { cell, facts };
    });
    return written.filter((cell) => cell !== undefined);
  }

  /** Remembers what commitment and allocation images tell of their commitment (it never changes). */
  private learnFacts(item: SourceItem | undefined): void {
    if (!item) return;
    const id =
      item.entity === 'commitment' ? item.id : item.entity === 'allocation' ? item.commitmentId : undefined;
    if (typeof id !== 'string' || this.facts.has(id)) return;
    if (typeof item.sponsorId === 'string' && typeof item.fiscalYear === 'number') {
      this.facts.set(
        id,
        Promise.resolve({ commitmentId: id, sponsorId: item.sponsorId, fiscalYear: item.fiscalYear }),
      );
    }
  }

  /** A commitment's facts, read from the ledger table once per projector (a failed read is tried again). */
  private factsOf(commitmentId: string): Promise<CommitmentFacts | undefined> {
    let facts = this.facts.get(commitmentId);
    if (!facts) {
      facts = this.table.db
        .send(
          new GetCommand({
            TableName: this.ledgerTableName,
            Key: commitmentKey(commitmentId),
            ProjectionExpression: 'sponsorId, fiscalYear',
          }),
        )
        .then(({ Item }) =>
          Item
            ? { commitmentId, sponsorId: Item.sponsorId as string, fiscalYear: Item.fiscalYear as number }
            : undefined,
        );
      facts.catch(() => this.facts.delete(commitmentId));
      this.facts.set(commitmentId, facts);
    }
    return facts;
  }
}
