/**
 * The reports table: its keys and the reads and writes that every job of the reports (projection, targets,
 * queries, rebuild) shares.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | village cell | `CELL#{year}#{province}` | `{village}#{commitmentId}` |
 * | commitment cell | `CELL#{year}#COMMITMENTS` | `{commitmentId}` |
 * | rollup, national | `{scope}#ROOT` | `ID` |
 * | rollup, province | `{scope}#ID` | `{province}` |
 * | rollup, regency/city | `{scope}#{province}` | `{regency}` |
 * | rollup, district | `{scope}#{regency}` | `{district}` |
 * | target, village (scope `T`) | `T#V#{province}` | `{village}` (a province's villages in one partition) |
 * | target above a village | as a rollup | as a rollup |
 * | fiscal years of a scope family | `YEARS#Y` or `YEARS#S#{sponsorId}` | `{year}` |
 * Scopes: `Y#{year}`, `S#{sponsorId}#{year}`, `C#{commitmentId}`; children of a region are one Query. A
 * village has no rollup: its figures in a scope are its cells in that scope, summed (reports/rollups.ts), and
 * the cells of every village under a region are one Query too ({@link reportKeys.villageCells}).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mapConcurrently, parseRegionCode, type RegionLevel, retrying } from '@lindung/core';
import { batchGetAll, queryPages } from '../client.js';
import { type CellRef, type CommitmentFacts, NATIONAL } from '../report-cells.js';

/** The scope of village targets (imported counts of vulnerable workers), a tree like the rollups'. */
export const TARGET_SCOPE = 'T';

/** A region level, or the national root. */
export type ReportLevel = RegionLevel | 'national';

/** The level of a region code or of the national root. */
export const reportLevelOf = (code: string): ReportLevel =>
  code === NATIONAL ? 'national' : parseRegionCode(code, 'region').level;

const provinceOf = (code: string) => code.slice(0, 2);

/** The keys of the reports table (see the table above). */
export const reportKeys = {
  villageCell: (fiscalYear: number, villageCode: string, commitmentId: string) => ({
    pk: `CELL#${fiscalYear}#${provinceOf(villageCode)}`,
    sk: `${villageCode}#${commitmentId}`,
  }),
  commitmentCell: (fiscalYear: number, commitmentId: string) => ({
    pk: `CELL#${fiscalYear}#COMMITMENTS`,
    sk: commitmentId,
  }),
  /**
   * Where the village cells of a fiscal year under a region (a province, regency/city, district or one
   * village) are: their province's partition, and below a province a sort key prefix.
   */
  villageCells: (fiscalYear: number, code: string) => {
    const level = reportLevelOf(code);
    if (level === 'national') throw new Error('village cells are kept per province');
    const prefix = level === 'province' ? undefined : level === 'village' ? `${code}#` : `${code}.`;
    return { pk: `CELL#${fiscalYear}#${provinceOf(code)}`, prefix };
  },
  /** The cell of a village of a commitment, or of the commitment itself. */
  cell: (cell: CellRef, facts: CommitmentFacts) =>
    cell.kind === 'village'
      ? reportKeys.villageCell(facts.fiscalYear, cell.villageCode, cell.commitmentId)
      : reportKeys.commitmentCell(facts.fiscalYear, cell.commitmentId),
  /** The rollup (or target) of a region in a scope. */
  node: (scopeId: string, code: string) => {
    const level = reportLevelOf(code);
    const parent =
      level === 'national'
        ? 'ROOT'
        : level === 'province'
          ? NATIONAL
          : level === 'village'
            ? `V#${provinceOf(code)}`
            : code.slice(0, code.lastIndexOf('.'));
    return { pk: `${scopeId}#${parent}`, sk: code };
  },
  /**
   * Where the children of a region are: a partition, and for a district's villages (targets only: a village
   * has cells, not a rollup) a sort key prefix.
   */
  children: (scopeId: string, code: string) => {
    const level = reportLevelOf(code);
    if (level === 'district') return { pk: `${scopeId}#V#${provinceOf(code)}`, prefix: `${code}.` };
    if (level === 'village') throw new Error('a village has cells, not child rollups');
    return { pk: `${scopeId}#${code}`, prefix: undefined };
  },
  /** The partition of every village target of a region's province. */
  villages: (scopeId: string, code: string) => `${scopeId}#V#${provinceOf(code)}`,
  years: (sponsorId?: string) => (sponsorId ? `YEARS#S#${sponsorId}` : 'YEARS#Y'),
};

export type ItemKey = { readonly pk: string; readonly sk: string };
export type Item = Record<string, unknown>;

/** A key as one string (a map key). */
const keyId = ({ pk, sk }: ItemKey) => `${pk}\u0000${sk}`;

/** What a cell holds besides its source items' attributes: what it is and whose. */
export const cellHeader = (cell: CellRef, facts: CommitmentFacts): Item => ({
  entity: 'report-cell',
  sponsorId: facts.sponsorId,
  commitmentId: facts.commitmentId,
  fiscalYear: facts.fiscalYear,
  ...(cell.kind === 'village' && { villageCode: cell.villageCode }),
});

/** The key condition of a Query on partition `pk`, optionally on sort keys starting with `prefix`. */
export const keyCondition = (pk: string, prefix?: string) => ({
  KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
  ExpressionAttributeValues: { ':pk': pk, ...(prefix && { ':prefix': prefix }) },
});

/** Every item a query returns, all its pages read. */
export const queryAll = async (db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> => {
  const items: Item[] = [];
  for await (const page of queryPages(db, input)) items.push(...page);
  return items;
};

/** DynamoDB takes at most 100 attributes in an update expression; a cell's header and some room stay free. */
const MAX_ATTRIBUTES_PER_UPDATE = 80;

/** A recompute that lost a race to a concurrent one (it read older children) reads and computes again. */
const RECOMPUTE_POLICY = {
  attempts: 12,
  retryIf: (error: unknown) => error instanceof ConditionalCheckFailedException,
  maxDelayMs: 200,
};

/** The reports table through one document client; `concurrency` bounds the calls any job has in flight. */
export class ReportsTable {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly name: string,
    readonly concurrency: number,
  ) {}

  /** One item, or `undefined`. */
  async get(key: ItemKey, consistent = false): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: consistent }),
    );
    return Item;
  }

  /** Every item of partition `pk` (whose sort key starts with `prefix`). */
  query(pk: string, prefix?: string, consistent = false): Promise<Item[]> {
    return queryAll(this.db, {
      TableName: this.name,
      ...keyCondition(pk, prefix),
      ConsistentRead: consistent,
    });
  }

  async put(item: Item): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.name, Item: item }));
  }

  async delete(key: ItemKey): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.name, Key: key }));
  }

  /**
   * Sets a cell's header and sets (or, for `undefined`, removes) the given attributes; several updates only
   * when one batch changes very many of them.
   */
  async updateCell(key: ItemKey, header: Item, attributes: ReadonlyMap<string, unknown>): Promise<void> {
    const entries = [...attributes.entries()];
    for (let start = 0; start === 0 || start < entries.length; start += MAX_ATTRIBUTES_PER_UPDATE) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const removes: string[] = [];
      const assign = (alias: string, name: string, value: unknown) => {
        names[`#${alias}`] = name;
        if (value === undefined) removes.push(`#${alias}`);
        else {
          sets.push(`#${alias} = :${alias}`);
          values[`:${alias}`] = value;
        }
      };
      Object.entries(header).forEach(([name, value], i) => {
        assign(`h${i}`, name, value);
      });
      entries.slice(start, start + MAX_ATTRIBUTES_PER_UPDATE).forEach(([name, value], i) => {
        assign(`a${i}`, name, value);
      });
      await this.db.send(
        new UpdateCommand({
          TableName: this.name,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    }
  }

  /**
   * Recomputes items (rollups, targets) from what they sum and writes each conditional on its version read
   * before the sums: when a concurrent recompute wrote in between, that item is read and computed again, so
   * the last write always holds the latest children. `read` reads the sums of the items still to write (once
   * for all of them) and gives each item. Resolves with the items this call created (no version before).
   */
  async recompute<T extends { readonly key: ItemKey }>(
    nodes: readonly T[],
    read: (pending: readonly T[]) => Promise<(node: T) => Item>,
  ): Promise<T[]> {
    let pending = nodes;
    const created: T[] = [];
    await retrying(async () => {
      const versions = await this.versionsOf(pending.map((node) => node.key));
      const itemOf = await read(pending);
      // Every put is tried, the failed ones kept for the next round.
      const failed = await mapConcurrently(pending, this.concurrency, async (node) => {
        const version = versions.get(keyId(node.key));
        try {
          await this.putVersioned(node.key, version, itemOf(node));
        } catch (error) {
          return { error };
        }
        if (version === undefined) created.push(node);
        return undefined;
      });
      pending = pending.filter((_, i) => failed[i] !== undefined);
      const failures = failed.flatMap((f) => (f ? [f.error] : []));
      if (failures.length > 0) throw failures.find((e) => !RECOMPUTE_POLICY.retryIf(e)) ?? failures[0];
    }, RECOMPUTE_POLICY);
    return created;
  }

  /** The versions of the items at `keys` that exist, read consistently in batches of 100, by `keyId`. */
  private async versionsOf(keys: readonly ItemKey[]): Promise<Map<string, number>> {
    const unique = [...new Map(keys.map((key) => [keyId(key), { pk: key.pk, sk: key.sk }])).values()];
    const items = await batchGetAll(this.db, this.name, unique, 'pk, sk, version');
    return new Map(items.map((item) => [keyId(item as ItemKey), item.version as number]));
  }

  private async putVersioned(key: ItemKey, version: number | undefined, item: Item): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.name,
        Item: { ...key, ...item, version: (version ?? 0) + 1 },
        ConditionExpression: version === undefined ? 'attribute_not_exists(pk)' : '#version = :version',
        ...(version !== undefined && {
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      }),
    );
  }
}
