/**
 * The reads of the reports on request paths: GetItem and Query only, each region's rollup joined with its
 * target. A village has no rollup item: its figures are its cells in the scope, summed here (one Query for
 * one village, a district's or a whole province's villages).
 */
import { ValidationError } from '@lindung/core';
import {
  cellInScope,
  type ReportScope,
  type Rollup,
  rollupOfCell,
  rollupOfNode,
  sumRollups,
  villageRollups,
} from '../report-cells.js';
import {
  type Item,
  type ReportLevel,
  type ReportsTable,
  reportKeys,
  reportLevelOf,
  TARGET_SCOPE,
} from './table.js';

/** A region's figures in a scope: its rollup and its target. */
export interface RegionFigures {
  readonly code: string;
  readonly level: ReportLevel | 'commitment';
  readonly rollup: Rollup;
  readonly target: number;
}

/** A commitment as the reports know it. */
export interface ReportedCommitment {
  readonly commitmentId: string;
  readonly sponsorId: string;
  readonly fiscalYear: number;
  readonly budget: number;
  readonly committed: number;
  readonly status?: string;
}

/** A village's quotas, one per commitment (a cell each). */
const quotasOf = (cells: readonly Record<string, unknown>[]): RegionFigures[] =>
  cells.map((cell) => ({
    code: String(cell.commitmentId),
    level: 'commitment',
    rollup: rollupOfCell(cell),
    target: 0,
  }));

/** The reads of the reports table that answer the report endpoints. */
export class ReportQueries {
  constructor(private readonly table: ReportsTable) {}

  /** A region's figures in a scope (the national root when `code` is `ID`). */
  async region(scope: ReportScope, code: string): Promise<RegionFigures> {
    if (reportLevelOf(code) === 'village') return (await this.village(scope, code)).region;
    const [node, target] = await Promise.all([
      this.table.get(reportKeys.node(scope.id, code)),
      this.targetOf(code),
    ]);
    return { code, level: reportLevelOf(code), rollup: rollupOfNode(node), target };
  }

  /**
   * The child regions of a region with figures in the scope or a target, by code; for a village, its
   * quotas per commitment (level `commitment`, code = the commitment id).
   */
  async children(scope: ReportScope, code: string): Promise<RegionFigures[]> {
    if (reportLevelOf(code) === 'village') return quotasOf(await this.villageCells(scope, code));
    const targets = reportKeys.children(TARGET_SCOPE, code);
    const rollups =
      reportLevelOf(code) === 'district'
        ? this.villageRollups(scope, code)
        : this.nodes(reportKeys.children(scope.id, code).pk);
    return this.joined(rollups, targets.pk, targets.prefix);
  }

  /**
   * A region's figures and its children's (or, with `villages`, every village under it), read together: a
   * village's own figures and its quotas come from one read of its cells.
   */
  async regionAndChildren(
    scope: ReportScope,
    code: string,
    list: 'children' | 'villages' = 'children',
  ): Promise<{ region: RegionFigures; children: RegionFigures[] }> {
    if (list === 'children' && reportLevelOf(code) === 'village') return this.village(scope, code);
    const [region, children] = await Promise.all([
      this.region(scope, code),
      list === 'villages' ? this.villages(scope, code) : this.children(scope, code),
    ]);
    return { region, children };
  }

  /** A village's figures in a scope (the sum of its cells there) and its quotas, from one read of its cells. */
  private async village(
    scope: ReportScope,
    code: string,
  ): Promise<{ region: RegionFigures; children: RegionFigures[] }> {
    const [cells, target] = await Promise.all([this.villageCells(scope, code), this.targetOf(code)]);
    const children = quotasOf(cells);
    const rollup = sumRollups(children.map((quota) => quota.rollup));
    return { region: { code, level: 'village', rollup, target }, children };
  }

  /** A village's cells in a scope: one per commitment that funds it. */
  private async villageCells(scope: ReportScope, code: string): Promise<Record<string, unknown>[]> {
    const { pk, prefix } = reportKeys.villageCells(scope.fiscalYear, code);
    return (await this.table.query(pk, prefix)).filter((cell) => cellInScope(cell, scope));
  }

  /** A region's target (its vulnerable workers), 0 without one. */
  private async targetOf(code: string): Promise<number> {
    const target = await this.table.get(reportKeys.node(TARGET_SCOPE, code));
    return Number(target?.target ?? 0);
  }

  /** Every village under a region (a province or below) with figures in the scope or a target. */
  async villages(scope: ReportScope, code: string): Promise<RegionFigures[]> {
    const level = reportLevelOf(code);
    if (level === 'national' || level === 'village') {
      throw ValidationError.forField('region', 'list villages of a province, regency/city or district');
    }
    const prefix = level === 'province' ? undefined : `${code}.`;
    return this.joined(this.villageRollups(scope, code), reportKeys.villages(TARGET_SCOPE, code), prefix);
  }

  /** The fiscal years with figures, of every sponsor or of one, newest first. */
  async fiscalYears(sponsorId?: string): Promise<number[]> {
    const items = await this.table.query(reportKeys.years(sponsorId));
    return items.map((item) => Number(item.fiscalYear)).sort((a, b) => b - a);
  }

  /** The approved or drafted commitments of a fiscal year the reports know, of every sponsor or of one. */
  async commitments(fiscalYear: number, sponsorId?: string): Promise<ReportedCommitment[]> {
    const items = await this.table.query(reportKeys.commitmentCell(fiscalYear, '').pk);
    return items
      .filter((item) => sponsorId === undefined || item.sponsorId === sponsorId)
      .map(reportedCommitment);
  }

  /** The figures of the villages under a region (or of one village) in a scope, by code, from their cells. */
  private async villageRollups(scope: ReportScope, code: string): Promise<Map<string, Rollup>> {
    const { pk, prefix } = reportKeys.villageCells(scope.fiscalYear, code);
    return villageRollups(await this.table.query(pk, prefix), scope);
  }

  /** The rollup items of one partition, by code. */
  private async nodes(pk: string): Promise<Map<string, Rollup>> {
    const items = await this.table.query(pk);
    return new Map(items.map((item) => [String(item.sk), rollupOfNode(item)]));
  }

  /** Rollups joined by code with the targets of the same regions (a target's partition and prefix). */
  private async joined(
    rollupsRead: Promise<Map<string, Rollup>>,
    targetPk: string,
    prefix: string | undefined,
  ): Promise<RegionFigures[]> {
    const [rollups, targets] = await Promise.all([rollupsRead, this.table.query(targetPk, prefix)]);
    const byCode = new Map<string, RegionFigures>();
    for (const [code, rollup] of rollups) {
      byCode.set(code, { code, level: reportLevelOf(code), rollup, target: 0 });
    }
    for (const item of targets) {
      const code = String(item.sk);
      const known = byCode.get(code);
      const target = Number(item.target ?? 0);
      byCode.set(
        code,
        known
          ? { ...known, target }
          : { code, level: reportLevelOf(code), rollup: rollupOfNode(undefined), target },
      );
    }
    return [...byCode.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }
}

const reportedCommitment = (item: Item): ReportedCommitment => {
  const commit = (item.commit ?? {}) as { budget?: number; committed?: number; status?: string };
  return {
    commitmentId: String(item.commitmentId),
    sponsorId: String(item.sponsorId),
    fiscalYear: Number(item.fiscalYear),
    budget: Number(commit.budget ?? 0),
    committed: Number(commit.committed ?? 0),
    ...(commit.status && { status: commit.status }),
  };
};
