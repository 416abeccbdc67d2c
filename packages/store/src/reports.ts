/**
 * The reporting read model in the reports table, fed by the ledger table's stream (functions/stream/
 * reports-projector.ts) and rebuildable from the source items. One repository, four jobs, one file each:
 * - reports/projection.ts: a batch of stream records applied to cells and the rollups above them (and why
 *   replays are safe);
 * - reports/targets.ts: imported target worker counts and their sums per region;
 * - reports/queries.ts: the reads of the report endpoints (GetItem and Query only);
 * - reports/rebuild.ts: the offline rebuild and check from the source items.
 * They share the table's keys and reads and writes (reports/table.ts) and the rollup recompute
 * (reports/rollups.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReportScope, SourceChange } from './report-cells.js';
import { goalsOf, putGoal, removeGoal, type StoredGoal, targetWorkersOf } from './reports/goals.js';
import { type ProjectionOutcome, Projector } from './reports/projection.js';
import { type RegionFigures, type ReportedCommitment, ReportQueries } from './reports/queries.js';
import { Rebuild, type RebuildOptions, type RebuildReport } from './reports/rebuild.js';
import { ReportsTable } from './reports/table.js';
import { putTargets } from './reports/targets.js';

export { type CoverageGoal, goalWorkers, type StoredGoal } from './reports/goals.js';
export type { ProjectionOutcome } from './reports/projection.js';
export type { RegionFigures, ReportedCommitment } from './reports/queries.js';
export type { RebuildOptions, RebuildReport } from './reports/rebuild.js';
export { type ReportLevel, reportKeys, reportLevelOf, TARGET_SCOPE } from './reports/table.js';

/**
 * The workers each region's target asks in a fiscal year, read from the reports table alone: for a function
 * that needs no more of the reports (the period roll's incentive evaluation), without the repository's
 * projection and rebuild in its bundle.
 */
export const targetWorkersReader =
  (db: DynamoDBDocumentClient, reportsTableName: string) =>
  (fiscalYear: number, codes: readonly string[]): Promise<Map<string, number>> =>
    targetWorkersOf(new ReportsTable(db, reportsTableName, 8), fiscalYear, codes);

/** The reports table and the ledger table it is projected from: projection, targets, reads and rebuild. */
export class ReportsRepository {
  private readonly table: ReportsTable;
  private readonly projector: Projector;
  private readonly queries: ReportQueries;
  private readonly rebuilder: Rebuild;

  constructor(
    db: DynamoDBDocumentClient,
    ledgerTableName: string,
    reportsTableName: string,
    concurrency = 8,
  ) {
    this.table = new ReportsTable(db, reportsTableName, concurrency);
    this.projector = new Projector(this.table, ledgerTableName);
    this.queries = new ReportQueries(this.table);
    this.rebuilder = new Rebuild(this.table, ledgerTableName);
  }

  /** Applies a batch of ledger table changes (stream records, in stream order) to the read model. */
  project(changes: readonly SourceChange[]): Promise<ProjectionOutcome> {
    return this.projector.project(changes);
  }

  /** Records village target counts and recomputes the targets above them; returns how many were written. */
  putTargets(targets: ReadonlyMap<string, number> | Readonly<Record<string, number>>): Promise<number> {
    return putTargets(this.table, targets);
  }

  /** Sets a region's coverage target for a fiscal year. */
  putGoal(fiscalYear: number, code: string, goal: StoredGoal): Promise<void> {
    return putGoal(this.table, fiscalYear, code, goal);
  }

  /** Removes a region's coverage target for a fiscal year. */
  removeGoal(fiscalYear: number, code: string): Promise<void> {
    return removeGoal(this.table, fiscalYear, code);
  }

  /** The coverage targets set for some regions in a fiscal year, by code. */
  goals(fiscalYear: number, codes: readonly string[]): Promise<Map<string, StoredGoal>> {
    return goalsOf(this.table, fiscalYear, codes);
  }

  /** The workers each region's target asks in a fiscal year (its goal, else its vulnerable workers). */
  targetWorkers(fiscalYear: number, codes: readonly string[]): Promise<Map<string, number>> {
    return targetWorkersOf(this.table, fiscalYear, codes);
  }

  /** A region's figures in a scope (the national root when `code` is `ID`). */
  region(scope: ReportScope, code: string): Promise<RegionFigures> {
    return this.queries.region(scope, code);
  }

  /**
   * A region's figures and its children's (or, with `villages`, every village under it), read together: a
   * village's figures and its quotas come from one read of its cells.
   */
  regionAndChildren(
    scope: ReportScope,
    code: string,
    list: 'children' | 'villages' = 'children',
  ): Promise<{ region: RegionFigures; children: RegionFigures[] }> {
    return this.queries.regionAndChildren(scope, code, list);
  }

  /** The fiscal years with figures, of every sponsor or of one, newest first. */
  fiscalYears(sponsorId?: string): Promise<number[]> {
    return this.queries.fiscalYears(sponsorId);
  }

  /** The commitments of a fiscal year the reports know, of every sponsor or of one. */
  commitments(fiscalYear: number, sponsorId?: string): Promise<ReportedCommitment[]> {
    return this.queries.commitments(fiscalYear, sponsorId);
  }

  /** Recomputes (or, with `write: false`, only checks) the read model from the source items; offline only. */
  rebuild(options: RebuildOptions): Promise<RebuildReport> {
    return this.rebuilder.run(options);
  }
}
