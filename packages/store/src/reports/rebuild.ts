/**
 * The rebuild (an offline tool, packages/local/src/reports-rebuild.ts): the read model recomputed from the
 * source items of the ledger table, every cell from its allocation's items and every rollup above them, the
 * same computation as the projector's over every item; or, as a dry run, only compared with what is stored.
 */
import { GetCommand, paginateScan, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '@lindung/core';
import {
  ALLOCATION_SK_PREFIX,
  commitmentKey,
  enrollmentsOfAllocation,
  INVOICE_SK_PREFIX,
  invoiceKey,
  ledgerPartition,
} from '../keys.js';
import {
  type CommitmentFacts,
  commitmentScope,
  foldContributions,
  type Rollup,
  rollupOfCell,
  rollupOfNode,
  rollupsInMemory,
  type SourceChange,
  sameRollup,
  sumRollups,
} from '../report-cells.js';
import { recomputeAbove, type WrittenCell } from './rollups.js';
import {
  cellHeader,
  type Item,
  type ItemKey,
  keyCondition,
  queryAll,
  type ReportsTable,
  reportKeys,
} from './table.js';

export interface RebuildOptions {
  /** Only these commitments' cells (default: every commitment, found by the offline Scan). */
  readonly commitmentIds?: readonly string[];
  /** Write the rebuilt cells and recompute the rollups; without it, only compare (a dry run). */
  readonly write: boolean;
  /**
   * Scopes to compare besides the commitments' own: those whose every cell is among the rebuilt ones.
   * A full rebuild compares every scope.
   */
  readonly scopes?: readonly string[];
}

export interface RebuildReport {
  readonly commitments: number;
  readonly cells: number;
  readonly rollups: number;
  /** What the stored read model holds that the source items do not give (empty: rebuilt = incremental). */
  readonly differences: readonly string[];
}

/** The source items of some commitments, and what the reports need to know of each commitment. */
interface Source {
  readonly facts: Map<string, CommitmentFacts>;
  readonly changes: SourceChange[];
}

/** A cell as the source items give it. */
interface RebuiltCell extends WrittenCell {
  readonly key: ItemKey;
  readonly item: Item;
}

/** Rebuilds (or checks) the reports table from the ledger table. */
export class Rebuild {
  constructor(
    private readonly table: ReportsTable,
    private readonly ledgerTableName: string,
  ) {}

  /**
   * Recomputes the read model from the source items: every cell from its allocation's items (a Query per
   * commitment and per allocation partition), every rollup above them. With `write: false` it only
   * compares, and `differences` lists what the stored read model holds that the source does not give.
   * Run it while no enrollments or rolls are in flight: cells written from the source would otherwise race
   * with the projector's newer images (the projector heals the rollups, not a cell overwritten with an
   * older value).
   */
  async run(options: RebuildOptions): Promise<RebuildReport> {
    const full = options.commitmentIds === undefined;
    const ids = options.commitmentIds ?? (await this.scanCommitmentIds());
    const source = await this.readSource(ids);
    const cells = cellsOf(source);
    const expected = rollupsInMemory(
      cells.map(({ item }) => item),
      source.facts,
    );
    if (options.write) await this.write(cells, expected, full);
    const compared = new Set(options.scopes ?? []);
    for (const id of ids) compared.add(commitmentScope(id, 0).id);
    const differences = [
      ...(await this.compareRollups(expected, full ? undefined : compared)),
      ...(await this.compareCells(cells)),
      ...(full ? await this.unexpectedRollups(expected) : []),
    ];
    return {
      commitments: source.facts.size,
      cells: cells.length,
      rollups: expected.size,
      differences: differences.sort(),
    };
  }

  /** Every source item of the commitments, read consistently: the commitment and its allocations' items. */
  private async readSource(ids: readonly string[]): Promise<Source> {
    const source: Source = { facts: new Map(), changes: [] };
    const concurrency = Math.max(1, Math.floor(this.table.concurrency / 2));
    await mapConcurrently(ids, concurrency, async (id) => {
      const { Item: commitment } = await this.table.db.send(
        new GetCommand({ TableName: this.ledgerTableName, Key: commitmentKey(id), ConsistentRead: true }),
      );
      if (!commitment) return;
      source.facts.set(id, {
        commitmentId: id,
        sponsorId: commitment.sponsorId,
        fiscalYear: commitment.fiscalYear,
      });
      const allocations = await this.ledgerItems(commitmentKey(id).pk, ALLOCATION_SK_PREFIX);
      const items = await mapConcurrently(allocations, this.table.concurrency, async (allocation) => {
        const village = String(allocation.villageCode);
        const parts = await Promise.all([
          this.ledgerItems(enrollmentsOfAllocation(id, village)),
          this.ledgerItems(invoiceKey(id, village, '').pk, INVOICE_SK_PREFIX),
          this.ledgerItems(ledgerPartition(id, village)),
        ]);
        return parts.flat();
      });
      for (const newImage of [commitment, ...allocations, ...items.flat()]) source.changes.push({ newImage });
    });
    return source;
  }

  private ledgerItems(pk: string, prefix?: string): Promise<Item[]> {
    return queryAll(this.table.db, {
      TableName: this.ledgerTableName,
      ...keyCondition(pk, prefix),
      ConsistentRead: true,
    });
  }

  /** Writes the rebuilt cells, deletes what no source item gives (full rebuild), recomputes the rollups. */
  private async write(cells: readonly RebuiltCell[], expected: ReadonlyMap<string, Rollup>, full: boolean) {
    await mapConcurrently(cells, this.table.concurrency, ({ key, item }) =>
      this.table.put({ ...key, ...item }),
    );
    if (full) await this.deleteOrphans(new Set(cells.map(({ key }) => `${key.pk}|${key.sk}`)), expected);
    await recomputeAbove(this.table, cells);
  }

  /** Stored rollups that differ from the source's (only of the `compared` scopes, unless every scope). */
  private async compareRollups(
    expected: ReadonlyMap<string, Rollup>,
    compared: ReadonlySet<string> | undefined,
  ): Promise<string[]> {
    const found = await mapConcurrently([...expected], this.table.concurrency, async ([name, rollup]) => {
      const [scopeId = '', code = ''] = name.split('|');
      if (compared && !compared.has(scopeId)) return undefined;
      const stored = rollupOfNode(await this.table.get(reportKeys.node(scopeId, code), true));
      return sameRollup(stored, rollup)
        ? undefined
        : `rollup ${scopeId} ${code}: stored ${describe(stored)}, source gives ${describe(rollup)}`;
    });
    return found.filter((difference) => difference !== undefined);
  }

  /** Stored cells that differ from the source's, or are missing. */
  private async compareCells(cells: readonly RebuiltCell[]): Promise<string[]> {
    const found = await mapConcurrently(cells, this.table.concurrency, async ({ key, item }) => {
      const stored = await this.table.get(key, true);
      if (stored && sameRollup(rollupOfCell(stored), rollupOfCell(item))) return undefined;
      return `cell ${key.pk} ${key.sk}: stored ${stored ? describe(rollupOfCell(stored)) : 'nothing'}, source gives ${describe(rollupOfCell(item))}`;
    });
    return found.filter((difference) => difference !== undefined);
  }

  /**
   * Every commitment id. A Scan: acceptable here only, in the offline rebuild tool, because the ledger table
   * has no index over all commitments (sponsors are not listed anywhere); never on a request path.
   */
  private async scanCommitmentIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of this.scan(this.ledgerTableName, {
      FilterExpression: '#entity = :commitment',
      ExpressionAttributeNames: { '#entity': 'entity' },
      ExpressionAttributeValues: { ':commitment': 'commitment' },
      ProjectionExpression: 'id',
    })) {
      ids.push(String(item.id));
    }
    return ids;
  }

  /** Full rebuild: deletes cells and rollups that no source item gives any more (Scan: offline tool only). */
  private async deleteOrphans(cellKeys: ReadonlySet<string>, expected: ReadonlyMap<string, Rollup>) {
    const stale: ItemKey[] = [];
    for await (const item of this.scan(this.table.name, {
      ProjectionExpression: 'pk, sk, #scope, code, entity',
      ExpressionAttributeNames: { '#scope': 'scope' },
    })) {
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (item.entity === 'report-cell' && !cellKeys.has(`${key.pk}|${key.sk}`)) stale.push(key);
      if (item.entity === 'report-rollup' && !expected.has(`${item.scope}|${item.code}`)) stale.push(key);
    }
    await mapConcurrently(stale, this.table.concurrency, (key) => this.table.delete(key));
  }

  /** Full rebuild: stored rollups that no source item gives and that are not all zero. */
  private async unexpectedRollups(expected: ReadonlyMap<string, Rollup>): Promise<string[]> {
    const found: string[] = [];
    for await (const item of this.scan(this.table.name, {
      FilterExpression: '#entity = :rollup',
      ExpressionAttributeNames: { '#entity': 'entity' },
      ExpressionAttributeValues: { ':rollup': 'report-rollup' },
    })) {
      if (expected.has(`${item.scope}|${item.code}`)) continue;
      const rollup = rollupOfNode(item);
      if (!sameRollup(rollup, sumRollups([])))
        found.push(`rollup ${item.scope} ${item.code}: stored ${describe(rollup)}, source gives nothing`);
    }
    return found;
  }

  /** Every item a Scan of a table returns, page after page. */
  private async *scan(tableName: string, input: Omit<ScanCommandInput, 'TableName'>): AsyncGenerator<Item> {
    for await (const page of paginateScan({ client: this.table.db }, { TableName: tableName, ...input })) {
      yield* page.Items ?? [];
    }
  }
}

/** The cells the source items give, each with the commitment it is of. */
const cellsOf = ({ facts, changes }: Source): RebuiltCell[] => {
  const cells: RebuiltCell[] = [];
  for (const { cell, attributes } of foldContributions(changes).values()) {
    const commitment = facts.get(cell.commitmentId);
    if (!commitment) continue;
    const item = cellHeader(cell, commitment);
    for (const [name, value] of attributes) if (value !== undefined) item[name] = value;
    cells.push({ cell, facts: commitment, key: reportKeys.cell(cell, commitment), item });
  }
  return cells;
};

const describe = (r: Rollup) =>
  `allocated ${r.allocated} remaining ${r.remaining} reserved ${r.reserved} spent ${r.spent} released ${r.released} covered ${r.covered} quotas ${r.quotas} committed ${r.committed} invoices ${Object.entries(
    r.invoices,
  )
    .filter(([, f]) => f.count > 0)
    .map(([s, f]) => `${s}:${f.count}/${f.amount}`)
    .join(',')} burn ${Object.entries(r.burn)
    .filter(([, a]) => a !== 0)
    .sort()
    .map(([p, a]) => `${p}:${a}`)
    .join(',')}`;
