/**
 * The rollups above written cells, recomputed as absolute values from their children: a district from its
 * villages' cells, a regency/city from its districts, and so on up to the national root, once per touched
 * rollup whatever the number of records. Shared by the projector and the rebuild (the same computation over
 * other cells).
 *
 * A village has no rollup item: its figures in a scope are the sum of its cells in that scope, which its
 * district's recompute reads anyway (one Query for the district's cells, in every scope) and the report
 * queries sum on read (reports/queries.ts). Storing them cost three conditional puts (one per scope) and a
 * Query for every village each stream batch touched: most of the projector's writes (BENCHMARKS.md §4).
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

/** The district rollups of one district and fiscal year: the scopes share one read of its villages' cells. */
interface DistrictGroup {
  readonly fiscalYear: number;
  readonly code: string;
  readonly nodes: RollupNode[];
}

/** Recomputes every rollup above the written cells, level by level from the districts up; returns how many. */
export const recomputeAbove = async (
  table: ReportsTable,
  written: readonly WrittenCell[],
): Promise<number> => {
  const [districts = [], ...above] = touchedLevels(written);
  await recomputeDistricts(table, districts);
  for (const level of above) await recomputeRegions(table, level);
  return districts.length + above.reduce((count, level) => count + level.length, 0);
};

/** The rollups the written cells touch, by level: districts, regencies, provinces, the root. */
const touchedLevels = (written: readonly WrittenCell[]): RollupNode[][] => {
  const levels: Map<string, RollupNode>[] = [0, 1, 2, 3].map(() => new Map());
  const touch = (level: number, scope: ReportScope, code: string) =>
    levels[level]?.set(`${scope.id}|${code}`, { scope, code, key: reportKeys.node(scope.id, code) });
  for (const { cell, facts } of written) {
    for (const scope of scopesOf(facts)) {
      if (cell.kind === 'commitment') touch(3, scope, NATIONAL);
      else for (const [level, code] of ancestorsOf(cell.villageCode).entries()) touch(level, scope, code);
    }
  }
  return levels.map((level) => [...level.values()]);
};

const byDistrict = (nodes: readonly RollupNode[]): DistrictGroup[] => {
  const groups = new Map<string, DistrictGroup>();
  for (const node of nodes) {
    const id = `${node.scope.fiscalYear}|${node.code}`;
    const group = groups.get(id) ?? { fiscalYear: node.scope.fiscalYear, code: node.code, nodes: [] };
    group.nodes.push(node);
    groups.set(id, group);
  }
  return [...groups.values()];
};

/**
 * The districts' rollups in each of their scopes (their versions read together), from one consistent read
 * of each district's village cells.
 */
const recomputeDistricts = async (table: ReportsTable, nodes: readonly RollupNode[]) => {
  await table.recompute(nodes, async (pending) => {
    const rollups = new Map<RollupNode, Item>();
    await mapConcurrently(byDistrict(pending), table.concurrency, async ({ fiscalYear, code, nodes }) => {
      const { pk, prefix } = reportKeys.villageCells(fiscalYear, code);
      const cells = await table.query(pk, prefix, true);
      for (const node of nodes) {
        const inScope = cells.filter((cell) => cellInScope(cell, node.scope));
        rollups.set(node, rollupItem(node, sumRollups(inScope.map(rollupOfCell))));
      }
    });
    return (node) => rollups.get(node) as Item;
  });
};

/**
 * One level's rollups of districts, regencies, provinces or the root, each from its children (their versions
 * read together); a scope family's first root also lists its fiscal year.
 */
const recomputeRegions = async (table: ReportsTable, nodes: readonly RollupNode[]) => {
  const created = await table.recompute(nodes, async (pending) => {
    const rollups = new Map<RollupNode, Item>();
    await mapConcurrently(pending, table.concurrency, async (node) => {
      rollups.set(node, rollupItem(node, await aggregate(table, node.scope, node.code)));
    });
    return (node) => rollups.get(node) as Item;
  });
  const roots = created.filter(({ scope, code }) => code === NATIONAL && !scope.commitmentId);
  await mapConcurrently(roots, table.concurrency, ({ scope }) =>
    table.put({
      pk: reportKeys.years(scope.sponsorId),
      sk: String(scope.fiscalYear),
      fiscalYear: scope.fiscalYear,
    }),
  );
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
