/**
 * Coverage targets set for a region and fiscal year (issue 19): a number of workers, or a share of the
 * region's vulnerable workers (the village counts imported with `lindung import targets`, summed up the
 * regions). A region without one is measured against its vulnerable workers, as before.
 */
import { type BasisPoints, targetWorkers } from '@lindung/core';
import { batchGetAll } from '../client.js';
import { type Item, type ReportsTable, reportKeys, TARGET_SCOPE } from './table.js';

/** A region's target for a fiscal year, as set. */
export type CoverageGoal =
  | { readonly kind: 'workers'; readonly workers: number }
  | { readonly kind: 'percent'; readonly basisPoints: BasisPoints };

/** A goal as stored, with who set it and when. */
export type StoredGoal = CoverageGoal & { readonly setBy: string; readonly setAt: string };

/** `GOAL#{year}` / `{region code}`: one partition per fiscal year. */
export const goalKey = (fiscalYear: number, code: string) => ({ pk: `GOAL#${fiscalYear}`, sk: code });

const goalOf = (item: Item): StoredGoal => {
  const by = { setBy: String(item.setBy), setAt: String(item.setAt) };
  return item.kind === 'percent'
    ? { kind: 'percent', basisPoints: Number(item.basisPoints) as BasisPoints, ...by }
    : { kind: 'workers', workers: Number(item.workers), ...by };
};

/** The workers a goal asks of a region with `vulnerable` vulnerable workers (a share rounds up). */
export const goalWorkers = (goal: CoverageGoal, vulnerable: number): number =>
  targetWorkers(
    goal.kind === 'workers' ? goal : { kind: 'percent', share: goal.basisPoints, of: vulnerable },
  );

/** Sets (replaces) a region's goal for a fiscal year. */
export const putGoal = async (
  table: ReportsTable,
  fiscalYear: number,
  code: string,
  goal: StoredGoal,
): Promise<void> => {
  await table.put({ ...goalKey(fiscalYear, code), entity: 'report-goal', code, fiscalYear, ...goal });
};

/** Removes a region's goal for a fiscal year (it is then measured against its vulnerable workers). */
export const removeGoal = (table: ReportsTable, fiscalYear: number, code: string): Promise<void> =>
  table.delete(goalKey(fiscalYear, code));

/** The goals set for some regions in a fiscal year, by code. */
export const goalsOf = async (
  table: ReportsTable,
  fiscalYear: number,
  codes: readonly string[],
): Promise<Map<string, StoredGoal>> => {
  if (codes.length === 0) return new Map();
  const items = await batchGetAll(
    table.db,
    table.name,
    [...new Set(codes)].map((code) => goalKey(fiscalYear, code)),
  );
  return new Map(items.map((item) => [String(item.sk), goalOf(item)]));
};

/**
 * The workers each region's target asks in a fiscal year: its goal if one is set, else its vulnerable workers
 * (the imported counts summed up the regions); 0 for a region with neither.
 */
export const targetWorkersOf = async (
  table: ReportsTable,
  fiscalYear: number,
  codes: readonly string[],
): Promise<Map<string, number>> => {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const [goals, nodes] = await Promise.all([
    goalsOf(table, fiscalYear, unique),
    batchGetAll(
      table.db,
      table.name,
      unique.map((code) => reportKeys.node(TARGET_SCOPE, code)),
    ),
  ]);
  const vulnerable = new Map(nodes.map((node) => [String(node.code), Number(node.target ?? 0)]));
  return new Map(
    unique.map((code) => {
      const goal = goals.get(code);
      const workers = vulnerable.get(code) ?? 0;
      return [code, goal ? goalWorkers(goal, workers) : workers];
    }),
  );
};
