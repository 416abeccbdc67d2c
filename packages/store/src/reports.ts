/**
 * The reporting read model in the reports table, fed by the ledger table's stream (functions/stream/
 * reports-projector.ts) and rebuildable from the source items.
 *
 * How a batch of stream records is applied, and why replays are safe:
 * 1. **Cells** (`CELL#{year}#{province}` / `{village}#{commitmentId}`, one per allocation, and one per
 *    commitment): every record sets the one attribute its source item owns to what the item says now
 *    (report-cells.ts). One UpdateItem per touched cell per batch. Idempotent: a redelivered record sets
 *    the value it set before, and the newer records of the same item, which DynamoDB Streams delivers after
 *    it, set the newer one. No delta is ever added, so nothing is counted twice.
 * 2. **Rollups** per scope (every sponsor's cells of a year, one sponsor's, one commitment's) and region
 *    level (village → district → regency/city → province → national) are recomputed as absolute values from
 *    their children: a touched village from its cells, a district from its villages, and so on up. One Put
 *    per touched rollup per batch, whatever the number of records (a province rollup is written once per
 *    batch, not once per enrollment). Each Put is conditional on the version read before the children:
 *    when two batches (two stream shards) recompute the same rollup at once, the one that read older
 *    children fails its condition and recomputes, so the last write always holds the latest children.
 * Absolute values also make the read model self-healing (any later change of a village corrects the rollups
 * above it) and make the rebuild the same computation over all source items.
 *
 * Keys of the reports table:
 * | item | pk | sk |
 * |---|---|---|
 * | village cell | `CELL#{year}#{province}` | `{village}#{commitmentId}` |
 * | commitment cell | `CELL#{year}#COMMITMENTS` | `{commitmentId}` |
 * | rollup, national | `{scope}#ROOT` | `ID` |
 * | rollup, province | `{scope}#ID` | `{province}` |
 * | rollup, regency/city | `{scope}#{province}` | `{regency}` |
 * | rollup, district | `{scope}#{regency}` | `{district}` |
 * | rollup, village | `{scope}#V#{province}` | `{village}` (a province's villages in one partition) |
 * | target (scope `T`) | as a rollup | as a rollup |
 * | fiscal years of a scope family | `YEARS#Y` or `YEARS#S#{sponsorId}` | `{year}` |
 * Scopes: `Y#{year}`, `S#{sponsorId}#{year}`, `C#{commitmentId}`; children of a region are one Query.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { parseRegionCode, type RegionLevel, ValidationError } from '@lindung/core';
import {
  ALLOCATION_SK_PREFIX,
  commitmentKey,
  enrollmentsOfAllocation,
  INVOICE_SK_PREFIX,
  invoiceKey,
  ledgerPartition,
} from './keys.js';
import {
  ancestorsOf,
  type CellRef,
  type CommitmentFacts,
  cellId,
  cellInScope,
  commitmentScope,
  foldContributions,
  NATIONAL,
  type ReportScope,
  type Rollup,
  rollupOfCell,
  rollupOfNode,
  rollupsInMemory,
  type SourceChange,
  type SourceItem,
  sameRollup,
  scopesOf,
  sumRollups,
} from './report-cells.js';

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
  /** Where the children of a region are: a partition, and for a district's villages a sort key prefix. */
  children: (scopeId: string, code: string) => {
    const level = reportLevelOf(code);
    if (level === 'district') return { pk: `${scopeId}#V#${provinceOf(code)}`, prefix: `${code}.` };
    if (level === 'village') throw new Error('a village has cells, not child rollups');
    return { pk: `${scopeId}#${code}`, prefix: undefined };
  },
  /** The partition of every village rollup of a region's province. */
  villages: (scopeId: string, code: string) => `${scopeId}#V#${provinceOf(code)}`,
  years: (sponsorId?: string) => (sponsorId ? `YEARS#S#${sponsorId}` : 'YEARS#Y'),
};

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

export interface ProjectionOutcome {
  readonly records: number;
  readonly cells: number;
  readonly rollups: number;
}

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

const MAX_ATTRIBUTES_PER_UPDATE = 80;
const MAX_RECOMPUTE_ATTEMPTS = 12;

/** Runs `work` over `items` with at most `limit` at once. */
const inPool = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next);
    }),
  );
};

const jitter = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));

export class ReportsRepository {
  private readonly facts = new Map<string, Promise<CommitmentFacts | undefined>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly ledgerTableName: string,
    private readonly reportsTableName: string,
    private readonly concurrency = 8,
  ) {}

  // ── projection ────────────────────────────────────────────────────────────────────────────────────

  /** Applies a batch of ledger table changes (stream records, in stream order) to the read model. */
  async project(changes: readonly SourceChange[]): Promise<ProjectionOutcome> {
    for (const change of changes) this.learnFacts(change.newImage);
    const folded = [...foldContributions(changes).values()];
    const written: { cell: CellRef; facts: CommitmentFacts }[] = [];
    await inPool(folded, this.concurrency, async ({ cell, attributes }) => {
      const facts = await this.factsOf(cell.commitmentId);
      if (!facts) return; // a commitment that no longer exists has nothing to report
      await this.writeCell(cell, facts, attributes);
      written.push({ cell, facts });
    });
    const rollups = await this.recomputeAbove(written);
    return { records: changes.length, cells: written.length, rollups };
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

  private factsOf(commitmentId: string): Promise<CommitmentFacts | undefined> {
    let facts = this.facts.get(commitmentId);
    if (!facts) {
      facts = this.db
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

  private cellKey(cell: CellRef, facts: CommitmentFacts) {
    return cell.kind === 'village'
      ? reportKeys.villageCell(facts.fiscalYear, cell.villageCode, cell.commitmentId)
      : reportKeys.commitmentCell(facts.fiscalYear, cell.commitmentId);
  }

  /** Sets (or removes) a cell's attributes; several updates only when one batch changes very many of them. */
  private async writeCell(cell: CellRef, facts: CommitmentFacts, attributes: ReadonlyMap<string, unknown>) {
    const entries = [...attributes.entries()];
    for (let start = 0; start === 0 || start < entries.length; start += MAX_ATTRIBUTES_PER_UPDATE) {
      const chunk = entries.slice(start, start + MAX_ATTRIBUTES_PER_UPDATE);
      const names: Record<string, string> = { '#entity': 'entity' };
      const values: Record<string, unknown> = {
        ':entity': 'report-cell',
        ':sponsorId': facts.sponsorId,
        ':commitmentId': facts.commitmentId,
        ':fiscalYear': facts.fiscalYear,
      };
      const sets = [
        '#entity = :entity',
        'sponsorId = :sponsorId',
        'commitmentId = :commitmentId',
        'fiscalYear = :fiscalYear',
      ];
      if (cell.kind === 'village') {
        sets.push('villageCode = :villageCode');
        values[':villageCode'] = cell.villageCode;
      }
      const removes: string[] = [];
      chunk.forEach(([name, value], i) => {
        names[`#a${i}`] = name;
        if (value === undefined) removes.push(`#a${i}`);
        else {
          sets.push(`#a${i} = :a${i}`);
          values[`:a${i}`] = value;
        }
      });
      await this.db.send(
        new UpdateCommand({
          TableName: this.reportsTableName,
          Key: this.cellKey(cell, facts),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    }
  }

  /** Recomputes every rollup above the written cells, level by level from the villages up; returns how many. */
  private async recomputeAbove(
    written: readonly { cell: CellRef; facts: CommitmentFacts }[],
  ): Promise<number> {
    const levels: Map<string, { scope: ReportScope; code: string }>[] = [0, 1, 2, 3, 4].map(() => new Map());
    const touch = (level: number, scope: ReportScope, code: string) =>
      levels[level]?.set(`${scope.id}|${code}`, { scope, code });
    for (const { cell, facts } of written) {
      for (const scope of scopesOf(facts)) {
        if (cell.kind === 'commitment') {
          touch(4, scope, NATIONAL);
          continue;
        }
        const chain = [cell.villageCode, ...ancestorsOf(cell.villageCode)];
        for (const [level, code] of chain.entries()) touch(level, scope, code);
      }
    }
    let count = 0;
    for (const level of levels) {
      const nodes = [...level.values()];
      await inPool(nodes, this.concurrency, ({ scope, code }) => this.recomputeRollup(scope, code));
      count += nodes.length;
    }
    return count;
  }

  /**
   * Recomputes one rollup from its children and writes it, conditional on the version read before the
   * children: a concurrent recompute that wrote in between makes this one read again.
   */
  private async recomputeRollup(scope: ReportScope, code: string): Promise<void> {
    const key = reportKeys.node(scope.id, code);
    for (let attempt = 1; ; attempt++) {
      const { Item: current } = await this.db.send(
        new GetCommand({
          TableName: this.reportsTableName,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: 'version',
        }),
      );
      const rollup = await this.aggregate(scope, code);
      try {
        await this.putVersioned(key, current?.version as number | undefined, {
          entity: 'report-rollup',
          scope: scope.id,
          code,
          level: reportLevelOf(code),
          fiscalYear: scope.fiscalYear,
          ...(scope.sponsorId && { sponsorId: scope.sponsorId }),
          ...(scope.commitmentId && { commitmentId: scope.commitmentId }),
          ...rollup,
        });
        if (!current && code === NATIONAL && !scope.commitmentId) {
          await this.db.send(
            new PutCommand({
              TableName: this.reportsTableName,
              Item: {
                pk: reportKeys.years(scope.sponsorId),
                sk: String(scope.fiscalYear),
                fiscalYear: scope.fiscalYear,
              },
            }),
          );
        }
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= MAX_RECOMPUTE_ATTEMPTS)
          throw error;
        await jitter(attempt);
      }
    }
  }

  private putVersioned(
    key: { pk: string; sk: string },
    version: number | undefined,
    item: Record<string, unknown>,
  ) {
    return this.db.send(
      new PutCommand({
        TableName: this.reportsTableName,
        Item: { ...key, ...item, version: (version ?? 0) + 1 },
        ConditionExpression: version === undefined ? 'attribute_not_exists(pk)' : '#version = :version',
        ...(version !== undefined && {
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      }),
    );
  }

  /** A rollup's figures from its children, read consistently. */
  private async aggregate(scope: ReportScope, code: string): Promise<Rollup> {
    const level = reportLevelOf(code);
    if (level === 'village') {
      const cells = await this.queryAll({
        ...reportKeysQuery(reportKeys.villageCell(scope.fiscalYear, code, '').pk, `${code}#`),
        ConsistentRead: true,
      });
      return sumRollups(cells.filter((cell) => cellInScope(cell, scope)).map(rollupOfCell));
    }
    const { pk, prefix } = reportKeys.children(scope.id, code);
    const children = await this.queryAll({ ...reportKeysQuery(pk, prefix), ConsistentRead: true });
    const total = sumRollups(children.map(rollupOfNode));
    if (level === 'national') {
      const commitments = await this.queryAll({
        ...reportKeysQuery(reportKeys.commitmentCell(scope.fiscalYear, '').pk),
        ConsistentRead: true,
      });
      total.committed += sumRollups(
        commitments.filter((c) => cellInScope(c, scope)).map(rollupOfCell),
      ).committed;
    }
    return total;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.reportsTableName,
          ...input,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  // ── targets ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Records target worker counts (e.g. a village's vulnerable workers) and recomputes the target of every
   * region above them. A village not named keeps its target. Returns how many villages were written.
   */
  async putTargets(targets: ReadonlyMap<string, number> | Readonly<Record<string, number>>): Promise<number> {
    const entries = targets instanceof Map ? [...targets.entries()] : Object.entries(targets);
    for (const [code, count] of entries) {
      if (reportLevelOf(code) !== 'village') {
        throw ValidationError.forField('villageCode', `must be a village code, got ${code}`);
      }
      if (!Number.isSafeInteger(count) || count < 0) {
        throw ValidationError.forField('target', `must be a whole number ≥ 0, got ${count} for ${code}`);
      }
    }
    for (let i = 0; i < entries.length; i += 25) {
      let requests = entries.slice(i, i + 25).map(([code, target]) => ({
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
      for (let attempt = 1; requests.length > 0; attempt++) {
        const { UnprocessedItems } = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.reportsTableName]: requests } }),
        );
        requests = (UnprocessedItems?.[this.reportsTableName] ?? []) as typeof requests;
        if (requests.length > 0) await jitter(attempt);
      }
    }
    const above = new Set<string>();
    for (const [code] of entries) for (const ancestor of ancestorsOf(code)) above.add(ancestor);
    // Bottom-up: districts (3 parts), regencies, provinces, then the root.
    const byDepth = (depth: number) =>
      [...above].filter((code) => (code === NATIONAL ? 0 : code.split('.').length) === depth);
    for (const depth of [3, 2, 1, 0]) {
      await inPool(byDepth(depth), this.concurrency, (code) => this.recomputeTarget(code));
    }
    return entries.length;
  }

  private async recomputeTarget(code: string): Promise<void> {
    const key = reportKeys.node(TARGET_SCOPE, code);
    for (let attempt = 1; ; attempt++) {
      const { Item: current } = await this.db.send(
        new GetCommand({ TableName: this.reportsTableName, Key: key, ConsistentRead: true }),
      );
      const { pk, prefix } = reportKeys.children(TARGET_SCOPE, code);
      const children = await this.queryAll({ ...reportKeysQuery(pk, prefix), ConsistentRead: true });
      const target = children.reduce((sum, child) => sum + Number(child.target ?? 0), 0);
      try {
        await this.putVersioned(key, current?.version as number | undefined, {
          entity: 'report-target',
          code,
          level: reportLevelOf(code),
          target,
        });
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= MAX_RECOMPUTE_ATTEMPTS)
          throw error;
        await jitter(attempt);
      }
    }
  }

  // ── reads (request paths: GetItem and Query only) ─────────────────────────────────────────────────

  /** A region's figures in a scope (the national root when `code` is `ID`). */
  async region(scope: ReportScope, code: string): Promise<RegionFigures> {
    const [node, target] = await Promise.all([
      this.db.send(
        new GetCommand({ TableName: this.reportsTableName, Key: reportKeys.node(scope.id, code) }),
      ),
      this.db.send(
        new GetCommand({ TableName: this.reportsTableName, Key: reportKeys.node(TARGET_SCOPE, code) }),
      ),
    ]);
    return {
      code,
      level: reportLevelOf(code),
      rollup: rollupOfNode(node.Item),
      target: Number(target.Item?.target ?? 0),
    };
  }

  /**
   * The child regions of a region with figures in the scope or a target, by code; for a village, its
   * quotas per commitment (level `commitment`, code = the commitment id).
   */
  async children(scope: ReportScope, code: string): Promise<RegionFigures[]> {
    if (reportLevelOf(code) === 'village') {
      const cells = await this.queryAll(
        reportKeysQuery(reportKeys.villageCell(scope.fiscalYear, code, '').pk, `${code}#`),
      );
      return cells
        .filter((cell) => cellInScope(cell, scope))
        .map((cell) => ({
          code: String(cell.commitmentId),
          level: 'commitment',
          rollup: rollupOfCell(cell),
          target: 0,
        }));
    }
    const rollups = reportKeys.children(scope.id, code);
    const targets = reportKeys.children(TARGET_SCOPE, code);
    return this.joined(rollups.pk, targets.pk, rollups.prefix);
  }

  /** Every village under a region (a province or below) with figures in the scope or a target. */
  async villages(scope: ReportScope, code: string): Promise<RegionFigures[]> {
    const level = reportLevelOf(code);
    if (level === 'national' || level === 'village') {
      throw ValidationError.forField('region', 'list villages of a province, regency/city or district');
    }
    const prefix = level === 'province' ? undefined : `${code}.`;
    return this.joined(reportKeys.villages(scope.id, code), reportKeys.villages(TARGET_SCOPE, code), prefix);
  }

  private async joined(
    rollupPk: string,
    targetPk: string,
    prefix: string | undefined,
  ): Promise<RegionFigures[]> {
    const [rollups, targets] = await Promise.all([
      this.queryAll(reportKeysQuery(rollupPk, prefix)),
      this.queryAll(reportKeysQuery(targetPk, prefix)),
    ]);
    const byCode = new Map<string, RegionFigures>();
    for (const item of rollups) {
      const code = String(item.sk);
      byCode.set(code, { code, level: reportLevelOf(code), rollup: rollupOfNode(item), target: 0 });
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

  /** The fiscal years with figures, of every sponsor or of one, newest first. */
  async fiscalYears(sponsorId?: string): Promise<number[]> {
    const items = await this.queryAll(reportKeysQuery(reportKeys.years(sponsorId)));
    return items.map((item) => Number(item.fiscalYear)).sort((a, b) => b - a);
  }

  /** The approved or drafted commitments of a fiscal year the reports know, of every sponsor or of one. */
  async commitments(fiscalYear: number, sponsorId?: string): Promise<ReportedCommitment[]> {
    const items = await this.queryAll(reportKeysQuery(reportKeys.commitmentCell(fiscalYear, '').pk));
    return items
      .filter((item) => sponsorId === undefined || item.sponsorId === sponsorId)
      .map((item) => {
        const commit = (item.commit ?? {}) as { budget?: number; committed?: number; status?: string };
        return {
          commitmentId: String(item.commitmentId),
          sponsorId: String(item.sponsorId),
          fiscalYear: Number(item.fiscalYear),
          budget: Number(commit.budget ?? 0),
          committed: Number(commit.committed ?? 0),
          ...(commit.status && { status: commit.status }),
        };
      });
  }

  // ── rebuild (offline tool) ────────────────────────────────────────────────────────────────────────

  /**
   * Recomputes the read model from the source items: every cell from its allocation's items (a Query per
   * commitment and per allocation partition), every rollup above them. With `write: false` it only
   * compares, and `differences` lists what the stored read model holds that the source does not give.
   * Run it while no enrollments or rolls are in flight: cells written from the source would otherwise race
   * with the projector's newer images (the projector heals the rollups, not a cell overwritten with an
   * older value).
   */
  async rebuild(options: RebuildOptions): Promise<RebuildReport> {
    const full = options.commitmentIds === undefined;
    const ids = options.commitmentIds ?? (await this.scanCommitmentIds());
    const changes: SourceChange[] = [];
    const facts = new Map<string, CommitmentFacts>();
    await inPool(ids, Math.max(1, Math.floor(this.concurrency / 2)), async (id) => {
      const { Item: commitment } = await this.db.send(
        new GetCommand({ TableName: this.ledgerTableName, Key: commitmentKey(id), ConsistentRead: true }),
      );
      if (!commitment) return;
      facts.set(id, { commitmentId: id, sponsorId: commitment.sponsorId, fiscalYear: commitment.fiscalYear });
      changes.push({ newImage: commitment });
      const allocations = await this.ledgerItems(commitmentKey(id).pk, ALLOCATION_SK_PREFIX);
      changes.push(...allocations.map((newImage) => ({ newImage })));
      await inPool(allocations, this.concurrency, async (allocation) => {
        const village = String(allocation.villageCode);
        const [enrollments, invoices, ledger] = await Promise.all([
          this.ledgerItems(enrollmentsOfAllocation(id, village)),
          this.ledgerItems(invoiceKey(id, village, '').pk, INVOICE_SK_PREFIX),
          this.ledgerItems(ledgerPartition(id, village)),
        ]);
        for (const newImage of [...enrollments, ...invoices, ...ledger]) changes.push({ newImage });
      });
    });
    for (const change of changes) this.learnFacts(change.newImage);

    const cells = new Map<string, { key: { pk: string; sk: string }; item: Record<string, unknown> }>();
    const written: { cell: CellRef; facts: CommitmentFacts }[] = [];
    for (const { cell, attributes } of foldContributions(changes).values()) {
      const commitment = facts.get(cell.commitmentId);
      if (!commitment) continue;
      const key = this.cellKey(cell, commitment);
      const item: Record<string, unknown> = {
        entity: 'report-cell',
        sponsorId: commitment.sponsorId,
        commitmentId: commitment.commitmentId,
        fiscalYear: commitment.fiscalYear,
        ...(cell.kind === 'village' && { villageCode: cell.villageCode }),
      };
      for (const [name, value] of attributes) if (value !== undefined) item[name] = value;
      cells.set(cellId(cell), { key, item });
      written.push({ cell, facts: commitment });
    }
    const expected = rollupsInMemory(
      [...cells.values()].map(({ item }) => item),
      facts,
    );

    if (options.write) {
      await inPool([...cells.values()], this.concurrency, ({ key, item }) =>
        this.db
          .send(new PutCommand({ TableName: this.reportsTableName, Item: { ...key, ...item } }))
          .then(() => undefined),
      );
      if (full)
        await this.deleteOrphans(
          new Set([...cells.values()].map(({ key }) => `${key.pk}|${key.sk}`)),
          expected,
        );
      await this.recomputeAbove(written);
    }

    const compared = new Set(options.scopes ?? []);
    for (const id of ids) compared.add(commitmentScope(id, 0).id);
    const differences: string[] = [];
    await inPool([...expected.entries()], this.concurrency, async ([name, rollup]) => {
      const [scopeId = '', code = ''] = name.split('|');
      if (!full && !compared.has(scopeId)) return;
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.reportsTableName,
          Key: reportKeys.node(scopeId, code),
          ConsistentRead: true,
        }),
      );
      if (!sameRollup(rollupOfNode(Item), rollup)) {
        differences.push(
          `rollup ${scopeId} ${code}: stored ${describe(rollupOfNode(Item))}, source gives ${describe(rollup)}`,
        );
      }
    });
    await inPool([...cells.values()], this.concurrency, async ({ key, item }) => {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.reportsTableName, Key: key, ConsistentRead: true }),
      );
      if (!Item || !sameRollup(rollupOfCell(Item), rollupOfCell(item))) {
        differences.push(
          `cell ${key.pk} ${key.sk}: stored ${Item ? describe(rollupOfCell(Item)) : 'nothing'}, source gives ${describe(rollupOfCell(item))}`,
        );
      }
    });
    if (full) differences.push(...(await this.unexpectedRollups(expected)));
    return {
      commitments: facts.size,
      cells: cells.size,
      rollups: expected.size,
      differences: differences.sort(),
    };
  }

  private async ledgerItems(pk: string, prefix?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.ledgerTableName,
          ...reportKeysQuery(pk, prefix),
          ConsistentRead: true,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
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

  private async *scan(
    tableName: string,
    input: Record<string, unknown>,
  ): AsyncGenerator<Record<string, unknown>> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({ TableName: tableName, ...input, ...(startKey && { ExclusiveStartKey: startKey }) }),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Full rebuild: deletes cells and rollups that no source item gives any more (Scan: offline tool only). */
  private async deleteOrphans(cellKeys: ReadonlySet<string>, expected: ReadonlyMap<string, Rollup>) {
    const stale: { pk: string; sk: string }[] = [];
    for await (const item of this.scan(this.reportsTableName, {
      ProjectionExpression: 'pk, sk, #scope, code, entity',
      ExpressionAttributeNames: { '#scope': 'scope' },
    })) {
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (item.entity === 'report-cell' && !cellKeys.has(`${key.pk}|${key.sk}`)) stale.push(key);
      if (item.entity === 'report-rollup' && !expected.has(`${item.scope}|${item.code}`)) stale.push(key);
    }
    await inPool(stale, this.concurrency, (Key) =>
      this.db.send(new DeleteCommand({ TableName: this.reportsTableName, Key })).then(() => undefined),
    );
  }

  /** Full rebuild: stored rollups that no source item gives and that are not all zero. */
  private async unexpectedRollups(expected: ReadonlyMap<string, Rollup>): Promise<string[]> {
    const found: string[] = [];
    for await (const item of this.scan(this.reportsTableName, {
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
}

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

/** The key condition of a Query on partition `pk`, optionally on sort keys starting with `prefix`. */
const reportKeysQuery = (pk: string, prefix?: string) => ({
  KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
  ExpressionAttributeValues: { ':pk': pk, ...(prefix && { ':prefix': prefix }) },
});
