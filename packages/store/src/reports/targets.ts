/**
 * Targets: imported counts of a village's vulnerable workers, the denominator of coverage, and their sums
 * for every region above (scope `T`, a tree like the rollups').
 */
import { mapConcurrently, ValidationError } from '@lindung/core';
import { batchWriteAll } from '../client.js';
import { ancestorsOf, NATIONAL } from '../report-cells.js';
import { type ReportsTable, reportKeys, reportLevelOf, TARGET_SCOPE } from './table.js';

/** DynamoDB's limit of items in one BatchWriteItem. */
const BATCH_SIZE = 25;

/**
 * Records target worker counts (e.g. a village's vulnerable workers) and recomputes the target of every
 * region above them. A village not named keeps its target. Returns how many villages were written.
 */
export const putTargets = async (
  table: ReportsTable,
  targets: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): Promise<number> => {
  const entries = targets instanceof Map ? [...targets.entries()] : Object.entries(targets);
  for (const [code, count] of entries) validateTarget(code, count);
  for (let i = 0; i < entries.length; i += BATCH_SIZE) {
    await writeVillageTargets(table, entries.slice(i, i + BATCH_SIZE));
  }
  await recomputeAbove(
    table,
    entries.map(([code]) => code),
  );
  return entries.length;
};

const validateTarget = (code: string, count: number) => {
  if (reportLevelOf(code) !== 'village') {
    throw ValidationError.forField('villageCode', `must be a village code, got ${code}`);
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw ValidationError.forField('target', `must be a whole number ≥ 0, got ${count} for ${code}`);
  }
};

/** One BatchWriteItem of at most 25 village targets, its unprocessed items sent again. */
const writeVillageTargets = async (table: ReportsTable, entries: readonly (readonly [string, number])[]) => {
  const requests = entries.map(([code, target]) => ({
    PutRequest: {
      Item: {
        ...reportKeys.node(TARGET_SCOPE, code),
        entity: 'report-target',
        code,
        level: 'village',
        target,
      },
    },
  }));
  await batchWriteAll(table.db, table.name, requests);
};

/** The targets of the regions above the villages, bottom-up: districts, regencies, provinces, the root. */
const recomputeAbove = async (table: ReportsTable, villages: readonly string[]) => {
  const above = new Set<string>();
  for (const code of villages) for (const ancestor of ancestorsOf(code)) above.add(ancestor);
  const depthOf = (code: string) => (code === NATIONAL ? 0 : code.split('.').length);
  for (const depth of [3, 2, 1, 0]) {
    const level = [...above].filter((code) => depthOf(code) === depth);
    await mapConcurrently(level, table.concurrency, (code) => recomputeTarget(table, code));
  }
};

/** A region's target: the sum of its children's, written conditional on the version read before them. */
const recomputeTarget = async (table: ReportsTable, code: string) => {
  const key = reportKeys.node(TARGET_SCOPE, code);
  await table.recompute([{ key }], async () => {
    const { pk, prefix } = reportKeys.children(TARGET_SCOPE, code);
    const children = await table.query(pk, prefix, true);
    const target = children.reduce((sum, child) => sum + Number(child.target ?? 0), 0);
    return () => ({ entity: 'report-target', code, level: reportLevelOf(code), target });
  });
};
