/**
 * The rollups above written cells, recomputed as absolute values from their children: a village from its
 * cells, a district from its villages, and so on up to the national root, once per touched rollup whatever
 * the number of records. Shared by the projector and the rebuild (the same computation over other cells).
 */
import { mapConcurrently } from '@lindung/core';
import {
  ancestorsOf,
  type CellRef,
  type CommitmentFacts,
  cellInScope,
  NATIONAL,
  type ReportScope,
  type Rollup,
  rollupOfCell,
  rollupOfNode,
  scopesOf,
  sumRollups,
} from '../report-cells.js';
import { type Item, type ItemKey, type ReportsTable, reportKeys, reportLevelOf } from './table.js';

/** A cell just written, and the commitment it is of. */
export interface WrittenCell {
  readonly cell: CellRef;
  readonly facts: CommitmentFacts;
}

/** A rollup to recompute: a region in a scope. */
interface RollupNode {
  readonly scope: ReportScope;
  readonly code: string;
  readonly key: ItemKey;
}

/** The village rollups of one village and fiscal year: the scopes share one read of the village's cells. */
interface VillageGroup {
  readonly fiscalYear: number;
  readonly code: string;
  readonly nodes: RollupNode[];
}

/** Recomputes every rollup above the written cells, level by level from the villages up; returns how many. */
export const recomputeAbove = async (
  table: ReportsTable,
  written: readonly WrittenCell[],
): Promise<number> => {
  const [villages = [], ...above] = touchedLevels(written);
  await mapConcurrently(byVillage(villages), table.concurrency, (group) => recomputeVillage(table, group));
  for (const level of above) {
    await mapConcurrently(level, table.concurrency, (node) => recomputeRegion(table, node));
  }
  return villages.length + above.reduce((count, level) => count + level.length, 0);
};

/** The rollups the written cells touch, by level: villages, districts, regencies, provinces, the root. */
const touchedLevels = (written: readonly WrittenCell[]): RollupNode[][] => {
  const levels: Map<string, RollupNode>[] = [0, 1, 2, 3, 4].map(() => new Map());
  const touch = (level: number, scope: ReportScope, code: string) =>
    levels[level]?.set(`${scope.id}|${code}`, { scope, code, key: reportKeys.node(scope.id, code) });
  for (const { cell, facts } of written) {
    for (const scope of scopesOf(facts)) {
      if (cell.kind === 'commitment') touch(4, scope, NATIONAL);
      else
        for (const [level, code] of [cell.villageCode, ...ancestorsOf(cell.villageCode)].entries()) {
          touch(level, scope, code);
        }
    }
  }
  return levels.map((level) => [...level.values()]);
};

const byVillage = (nodes: readonly RollupNode[]): VillageGroup[] => {
  const groups = new Map<string, VillageGroup>();
  for (const node of nodes) {
    const id = `${node.scope.fiscalYear}|${node.code}`;
    const group = groups.get(id) ?? { fiscalYear: node.scope.fiscalYear, code: node.code, nodes: [] };
    group.nodes.push(node);
    groups.set(id, group);
  }
  return [...groups.values()];
};

/** A village's rollups in each of its scopes, from one read of its cells. */
const recomputeVillage = async (table: ReportsTable, { fiscalYear, code, nodes }: VillageGroup) => {
  await table.recompute(nodes, async () => {
    const cells = await table.query(reportKeys.villageCell(fiscalYear, code, '').pk, `${code}#`, true);
    return (node) =>
      rollupItem(node, sumRollups(cells.filter((cell) => cellInScope(cell, node.scope)).map(rollupOfCell)));
  });
};

/**
 * A district's, regency's, province's or the root's rollup from its children; a scope family's first root
 * also lists its fiscal year.
 */
const recomputeRegion = async (table: ReportsTable, node: RollupNode) => {
  const created = await table.recompute([node], async () => {
    const rollup = await aggregate(table, node.scope, node.code);
    return () => rollupItem(node, rollup);
  });
  const { scope, code } = node;
  if (created.length > 0 && code === NATIONAL && !scope.commitmentId) {
    await table.put({
      pk: reportKeys.years(scope.sponsorId),
      sk: String(scope.fiscalYear),
      fiscalYear: scope.fiscalYear,
    });
  }
};

/** The sum of a region's child rollups, read consistently; the root adds its scope's committed budget. */
const aggregate = async (table: ReportsTable, scope: ReportScope, code: string): Promise<Rollup> => {
  const { pk, prefix } = reportKeys.children(scope.id, code);
  const total = sumRollups((await table.query(pk, prefix, true)).map(rollupOfNode));
  if (code === NATIONAL) {
    const commitments = await table.query(
      reportKeys.commitmentCell(scope.fiscalYear, '').pk,
      undefined,
      true,
    );
    total.committed += sumRollups(
      commitments.filter((c) => cellInScope(c, scope)).map(rollupOfCell),
    ).committed;
  }
  return total;
};

const rollupItem = ({ scope, code }: RollupNode, rollup: Rollup): Item => ({
  entity: 'report-rollup',
  scope: scope.id,
  code,
  level: reportLevelOf(code),
  fiscalYear: scope.fiscalYear,
  ...(scope.sponsorId && { sponsorId: scope.sponsorId }),
  ...(scope.commitmentId && { commitmentId: scope.commitmentId }),
  ...rollup,
});
