/**
 * The pure part of the reporting read model (no I/O): how one item of the ledger table shows in the reports
 * table, what a report cell adds up to, and how rollups sum.
 *
 * A **cell** is one (commitment, village): the image of every source item of that allocation, one attribute
 * per source item, each holding only what that item says *now* (the allocation's counters, an invoice's
 * state and total, a spend entry's period and amount, and `1` for an enrollment while it is active). Setting
 * an attribute to a value an item had is idempotent, and the records of one item reach the projector in
 * order, so replaying stream records at least once, or rebuilding from the source items, gives the same cell.
 * Rollups are then sums of cells (see reports/rollups.ts), never counters bumped per record.
 */
import {
  fiscalYearOf,
  fiscalYearPeriods,
  INVOICE_STATES,
  type InvoiceState,
  isPeriod,
  parentRegion,
  type RegionCode,
  spans,
} from '@lindung/core';

/** An unmarshalled item image of the ledger table. */
export type SourceItem = Readonly<Record<string, unknown>>;

/** One change of a source item, as a stream record carries it (no `newImage`: the item was deleted). */
export interface SourceChange {
  readonly oldImage?: SourceItem;
  readonly newImage?: SourceItem;
}

/**
 * A Lambda event filter pattern (the subset Lindung uses): each key names a field of the stream record; a list
 * matches a field equal to one of its values, an object matches a field whose own fields match it.
 */
export interface StreamFilterPattern {
  readonly [field: string]: StreamFilterPattern | readonly (string | number)[];
}

/**
 * The stream records that can change a cell, as filter patterns of the reports projector's event source:
 * the items {@link contributionOf} reads (commitments, allocations, enrollments, invoice headers, spend
 * entries), and any removal. The rest of the stream (claims, other ledger entries, invoice line chunks,
 * sequences, import rows and results, idempotency records) never reaches the projector, on AWS or locally.
 */
export const REPORTED_CHANGES: readonly StreamFilterPattern[] = [
  { dynamodb: { NewImage: { entity: { S: ['commitment', 'allocation', 'enrollment', 'invoice'] } } } },
  { dynamodb: { NewImage: { entity: { S: ['ledger'] }, type: { S: ['spend'] } } } },
  { eventName: ['REMOVE'] },
];

/** The national root of every region tree. */
export const NATIONAL = 'ID';

/** What the projector needs to know of a commitment that its items do not all carry; never changes. */
export interface CommitmentFacts {
  readonly commitmentId: string;
  readonly sponsorId: string;
  readonly fiscalYear: number;
}

/** Which cell a source item belongs to: a village of a commitment, or the commitment itself. */
export type CellRef =
  | { readonly kind: 'village'; readonly commitmentId: string; readonly villageCode: string }
  | { readonly kind: 'commitment'; readonly commitmentId: string };

/** The cell attribute a source item owns, and its value now (`undefined`: remove the attribute). */
export interface Contribution {
  readonly cell: CellRef;
  readonly attribute: string;
  readonly value: unknown;
}

/** Attribute prefixes of a cell, one per kind of source item. */
const ATTRIBUTE = {
  allocation: 'alloc',
  commitment: 'commit',
  enrollment: 'e_',
  invoice: 'i_',
  spend: 's_',
} as const;

/** The states a commitment's budget counts as committed in (approved, whether or not still running). */
const COMMITTED_STATES: ReadonlySet<string> = new Set(['activating', 'active', 'closed']);

const text = (item: SourceItem, name: string): string | undefined =>
  typeof item[name] === 'string' ? (item[name] as string) : undefined;
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * The cell attribute a source item owns and the value it gives it, or `undefined` for items that reports do
 * not read (claims, sequences, invoice line chunks, reallocation proposals…). `item` is the image that
 * identifies the item (the new one, or the old one of a deleted item); `now` is its current image.
 */
export const contributionOf = (item: SourceItem, now: SourceItem | undefined): Contribution | undefined => {
  const commitmentId = text(item, 'commitmentId');
  const villageCode = text(item, 'villageCode');
  switch (item.entity) {
    case 'commitment': {
      const id = text(item, 'id');
      if (!id) return undefined;
      const status = now ? text(now, 'status') : undefined;
      return {
        cell: { kind: 'commitment', commitmentId: id },
        attribute: ATTRIBUTE.commitment,
        value: now && {
          budget: num(now.budget),
          status,
          committed: status && COMMITTED_STATES.has(status) ? num(now.budget) : 0,
        },
      };
    }
    case 'allocation':
      if (!commitmentId || !villageCode) return undefined;
      return {
        cell: { kind: 'village', commitmentId, villageCode },
        attribute: ATTRIBUTE.allocation,
        value: now && {
          budget: num(now.budget),
          available: num(now.available),
          reserved: num(now.reserved),
          spent: num(now.spent),
          released: num(now.released),
          status: text(now, 'status'),
        },
      };
    case 'enrollment': {
      const id = text(item, 'id');
      if (!commitmentId || !villageCode || !id) return undefined;
      return {
        cell: { kind: 'village', commitmentId, villageCode },
        attribute: `${ATTRIBUTE.enrollment}${id}`,
        value: now && coverageSpan(now),
      };
    }
    case 'invoice': {
      const period = text(item, 'period');
      if (!commitmentId || !villageCode || !period) return undefined;
      return {
        cell: { kind: 'village', commitmentId, villageCode },
        attribute: `${ATTRIBUTE.invoice}${period}`,
        value: now && { status: text(now, 'status'), total: num(now.total) },
      };
    }
    case 'ledger': {
      const sk = text(item, 'sk');
      if (item.type !== 'spend' || !commitmentId || !villageCode || !sk) return undefined;
      return {
        cell: { kind: 'village', commitmentId, villageCode },
        attribute: `${ATTRIBUTE.spend}${sk}`,
        value: now && { period: text(now, 'period'), amount: num(now.amount) },
      };
    }
    default:
      return undefined;
  }
};

/**
 * An enrollment's months in its cell: `YYYY-MM` (its start) while active, `YYYY-MM/YYYY-MM` (its start and
 * the first month no longer covered) once ended, so the report can count the workers of every month.
 */
const coverageSpan = (enrollment: SourceItem): string | undefined => {
  const start = text(enrollment, 'startPeriod');
  if (!start) return undefined;
  if (enrollment.status === 'active') return start;
  const end = text(enrollment, 'endPeriod');
  return end ? `${start}/${end}` : undefined;
};

/** The contribution of one change: the item's attribute set to what its new image says, or removed. */
export const contributionOfChange = (change: SourceChange): Contribution | undefined => {
  const item = change.newImage ?? change.oldImage;
  return item ? contributionOf(item, change.newImage) : undefined;
};

/** A key naming a cell, for maps. */
export const cellId = (cell: CellRef): string =>
  cell.kind === 'village' ? `${cell.commitmentId}/${cell.villageCode}` : cell.commitmentId;

/**
 * The changes of one batch, folded per cell in stream order: the last image of each source item wins (a
 * replayed record, arriving before the newer ones of the same item, is overwritten by them).
 */
export const foldContributions = (
  changes: readonly SourceChange[],
): Map<string, { cell: CellRef; attributes: Map<string, unknown> }> => {
  const cells = new Map<string, { cell: CellRef; attributes: Map<string, unknown> }>();
  for (const change of changes) {
    const contribution = contributionOfChange(change);
    if (!contribution) continue;
    const id = cellId(contribution.cell);
    const entry = cells.get(id) ?? { cell: contribution.cell, attributes: new Map<string, unknown>() };
    entry.attributes.set(contribution.attribute, contribution.value);
    cells.set(id, entry);
  }
  return cells;
};

export interface InvoiceFigures {
  count: number;
  amount: number;
}

/** The figures of a cell or of any rollup of cells; money in integer rupiah. */
export interface Rollup {
  /** Budget of approved commitments (only at the root of a tree: a commitment is not a village's). */
  committed: number;
  /** Quota given to villages (allocations' budget, after reallocations). */
  allocated: number;
  /** Quota not yet reserved, spent or released. */
  remaining: number;
  reserved: number;
  spent: number;
  released: number;
  /** Workers whose enrollment is active. */
  covered: number;
  /** Village quotas (allocations) summed here. */
  quotas: number;
  invoices: Record<InvoiceState, InvoiceFigures>;
  /** Spent per period (`YYYY-MM`), from the ledger's spend entries. */
  burn: Record<string, number>;
  /** Workers covered per period (`YYYY-MM`) of the fiscal year, from the enrollments' months. */
  months: Record<string, number>;
}

/** A rollup of nothing. */
export const emptyRollup = (): Rollup => ({
  committed: 0,
  allocated: 0,
  remaining: 0,
  reserved: 0,
  spent: 0,
  released: 0,
  covered: 0,
  quotas: 0,
  invoices: Object.fromEntries(INVOICE_STATES.map((s) => [s, { count: 0, amount: 0 }])) as Record<
    InvoiceState,
    InvoiceFigures
  >,
  burn: {},
  months: {},
});

const COUNTERS = [
  'committed',
  'allocated',
  'remaining',
  'reserved',
  'spent',
  'released',
  'covered',
  'quotas',
] as const;

const addByPeriod = (total: Record<string, number>, part: Readonly<Record<string, number>>) => {
  for (const [period, n] of Object.entries(part)) total[period] = (total[period] ?? 0) + n;
};

/** Adds `part` into `total` (mutates and returns `total`). */
export const addRollup = (total: Rollup, part: Readonly<Rollup>): Rollup => {
  for (const name of COUNTERS) total[name] += part[name];
  for (const state of INVOICE_STATES) {
    const figures = part.invoices[state];
    if (!figures) continue;
    total.invoices[state].count += figures.count;
    total.invoices[state].amount += figures.amount;
  }
  addByPeriod(total.burn, part.burn);
  addByPeriod(total.months, part.months);
  return total;
};

/** The sum of rollups. */
export const sumRollups = (parts: Iterable<Readonly<Rollup>>): Rollup => {
  const total = emptyRollup();
  for (const part of parts) addRollup(total, part);
  return total;
};

const isInvoiceState = (value: unknown): value is InvoiceState =>
  typeof value === 'string' && (INVOICE_STATES as readonly string[]).includes(value);

/** What a stored cell (village or commitment) adds up to. */
export const rollupOfCell = (cell: SourceItem): Rollup => {
  const rollup = emptyRollup();
  const commitment = cell[ATTRIBUTE.commitment] as Record<string, unknown> | undefined;
  if (commitment) rollup.committed = num(commitment.committed);
  const allocation = cell[ATTRIBUTE.allocation] as Record<string, unknown> | undefined;
  if (allocation) {
    rollup.allocated = num(allocation.budget);
    rollup.remaining = num(allocation.available);
    rollup.reserved = num(allocation.reserved);
    rollup.spent = num(allocation.spent);
    rollup.released = num(allocation.released);
    rollup.quotas = 1;
  }
  // A closed year's coverage has ended, the workers' items unwritten (closing writes the allocation alone).
  const yearClosed = allocation?.status === 'closed';
  for (const [name, value] of Object.entries(cell)) {
    if (name.startsWith(ATTRIBUTE.enrollment)) {
      // `1`: an active enrollment as cells held it before they knew its months.
      const active = value === 1 || (typeof value === 'string' && !value.includes('/'));
      rollup.covered += active && !yearClosed ? 1 : 0;
      if (typeof value === 'string') countMonths(rollup.months, value);
    } else if (name.startsWith(ATTRIBUTE.invoice)) {
      const invoice = value as { status?: unknown; total?: unknown };
      if (isInvoiceState(invoice.status)) {
        rollup.invoices[invoice.status].count += 1;
        rollup.invoices[invoice.status].amount += num(invoice.total);
      }
    } else if (name.startsWith(ATTRIBUTE.spend)) {
      const entry = value as { period?: unknown; amount?: unknown };
      if (typeof entry.period === 'string') {
        rollup.burn[entry.period] = (rollup.burn[entry.period] ?? 0) + num(entry.amount);
      }
    }
  }
  return rollup;
};

/** Adds one to each month of the fiscal year an enrollment's span (see `coverageSpan`) covers. */
const countMonths = (months: Record<string, number>, span: string) => {
  for (const period of monthsOfSpan(span)) months[period] = (months[period] ?? 0) + 1;
};

/**
 * The months of its fiscal year a span covers. Remembered per span: a year's spans are at most a few hundred
 * strings (a start month, an end month), and every cell of every village is summed again on each recompute.
 */
const monthsOfSpan = (span: string): readonly string[] => {
  let months = SPAN_MONTHS.get(span);
  if (!months) {
    months = periodsSpanned(span);
    if (SPAN_MONTHS.size >= MAX_REMEMBERED_SPANS) SPAN_MONTHS.clear();
    SPAN_MONTHS.set(span, months);
  }
  return months;
};
const SPAN_MONTHS = new Map<string, readonly string[]>();

const periodsSpanned = (span: string): string[] => {
  const [startPeriod = '', endPeriod] = span.split('/');
  if (!isPeriod(startPeriod)) return [];
  const record = { startPeriod, ...(endPeriod && isPeriod(endPeriod) && { endPeriod }) };
  return fiscalYearPeriods(fiscalYearOf(startPeriod)).filter((period) => spans(record, period));
};
const MAX_REMEMBERED_SPANS = 10_000;

/** The figures of each village in a scope (a village has no rollup item), by village code, from its cells. */
export const villageRollups = (cells: readonly SourceItem[], scope: ReportScope): Map<string, Rollup> => {
  const villages = new Map<string, Rollup>();
  for (const cell of cells) {
    const code = text(cell, 'villageCode');
    if (!code || !cellInScope(cell, scope)) continue;
    villages.set(code, addRollup(villages.get(code) ?? emptyRollup(), rollupOfCell(cell)));
  }
  return villages;
};

/** The rollup figures of a stored rollup item (attributes named as in {@link Rollup}). */
export const rollupOfNode = (item: SourceItem | undefined): Rollup => {
  const rollup = emptyRollup();
  if (!item) return rollup;
  for (const name of COUNTERS) rollup[name] = num(item[name]);
  const invoices = (item.invoices ?? {}) as Record<string, Partial<InvoiceFigures>>;
  for (const state of INVOICE_STATES) {
    rollup.invoices[state] = { count: num(invoices[state]?.count), amount: num(invoices[state]?.amount) };
  }
  for (const [period, amount] of Object.entries((item.burn ?? {}) as Record<string, unknown>)) {
    rollup.burn[period] = num(amount);
  }
  for (const [period, n] of Object.entries((item.months ?? {}) as Record<string, unknown>)) {
    rollup.months[period] = num(n);
  }
  return rollup;
};

/** Whether two rollups hold the same figures (periods with 0 spent count as absent). */
export const sameRollup = (a: Readonly<Rollup>, b: Readonly<Rollup>): boolean => {
  if (COUNTERS.some((name) => a[name] !== b[name])) return false;
  if (
    INVOICE_STATES.some(
      (s) => a.invoices[s].count !== b.invoices[s].count || a.invoices[s].amount !== b.invoices[s].amount,
    )
  ) {
    return false;
  }
  return sameByPeriod(a.burn, b.burn) && sameByPeriod(a.months, b.months);
};

const sameByPeriod = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
  const periods = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...periods].every((p) => (a[p] ?? 0) === (b[p] ?? 0));
};

/**
 * A set of rollups: every sponsor's cells of a fiscal year (`Y#2031`), one sponsor's (`S#{id}#2031`), or one
 * commitment's (`C#{id}`). A cell belongs to exactly these three.
 */
export interface ReportScope {
  readonly id: string;
  readonly fiscalYear: number;
  readonly sponsorId?: string;
  readonly commitmentId?: string;
}

export const yearScope = (fiscalYear: number): ReportScope => ({ id: `Y#${fiscalYear}`, fiscalYear });
export const sponsorScope = (sponsorId: string, fiscalYear: number): ReportScope => ({
  id: `S#${sponsorId}#${fiscalYear}`,
  fiscalYear,
  sponsorId,
});
export const commitmentScope = (commitmentId: string, fiscalYear: number): ReportScope => ({
  id: `C#${commitmentId}`,
  fiscalYear,
  commitmentId,
});

/** The scopes a cell of a commitment counts in. */
export const scopesOf = (facts: CommitmentFacts): ReportScope[] => [
  yearScope(facts.fiscalYear),
  sponsorScope(facts.sponsorId, facts.fiscalYear),
  commitmentScope(facts.commitmentId, facts.fiscalYear),
];

/** Whether a stored cell counts in a scope. */
export const cellInScope = (cell: SourceItem, scope: ReportScope): boolean =>
  cell.fiscalYear === scope.fiscalYear &&
  (scope.sponsorId === undefined || cell.sponsorId === scope.sponsorId) &&
  (scope.commitmentId === undefined || cell.commitmentId === scope.commitmentId);

/** The regions above a village, nearest first, ending with the national root. */
export const ancestorsOf = (villageCode: string): string[] => {
  const chain: string[] = [];
  for (let code = parentRegion(villageCode as RegionCode); code; code = parentRegion(code)) chain.push(code);
  return [...chain, NATIONAL];
};

/**
 * Every rollup of a set of cells, computed in memory (the rebuild's expectation): per scope and region above
 * the villages, the sum of the cells below (a village has no rollup item, only its cells). Keys are
 * `{scope id}|{region code}`.
 */
export const rollupsInMemory = (
  cells: readonly SourceItem[],
  facts: ReadonlyMap<string, CommitmentFacts>,
): Map<string, Rollup> => {
  const rollups = new Map<string, Rollup>();
  const add = (scope: ReportScope, code: string, part: Rollup) => {
    const key = `${scope.id}|${code}`;
    rollups.set(key, addRollup(rollups.get(key) ?? emptyRollup(), part));
  };
  for (const cell of cells) {
    const commitment = facts.get(String(cell.commitmentId));
    if (!commitment) continue;
    const part = rollupOfCell(cell);
    const villageCode = typeof cell.villageCode === 'string' ? cell.villageCode : undefined;
    for (const scope of scopesOf(commitment)) {
      if (!villageCode) {
        add(scope, NATIONAL, part);
        continue;
      }
      for (const code of ancestorsOf(villageCode)) add(scope, code, part);
    }
  }
  return rollups;
};
