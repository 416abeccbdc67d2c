/**
 * The append-only budget ledger: every movement of money of an allocation is an entry in the allocation's
 * ledger partition, written in the same transaction as the counters it moves. `reconcile` recomputes the
 * counters from the entries, so an auditor (and the tests) can prove they agree (invariant I5).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Period } from '@lindung/core';
import { ulid } from 'ulid';
import { queryPages } from './client.js';
import type { AllocationRecord } from './commitments.js';
import { allocationKey, ledgerEntryKey, ledgerPartition } from './keys.js';
import type { TransactionAction } from './transaction.js';

/**
 * The kinds of entry and what they move:
 * - `allocate`, `reallocate-in`: budget and available up; `reallocate-out`: both down;
 * - `reserve`: available → reserved (an enrollment, a carried-over worker);
 * - `spend`: reserved (`fromReserved`) and available (`fromAvailable`) → spent (a period's invoice);
 * - `release`: reserved (`fromReserved`) and available (`fromAvailable`) → released (a coverage that lapsed
 *   unpaid, the year-end close);
 * - `unreserve`: reserved → available (a coverage ended early while the fiscal year is open: a freed seat);
 * - `credit`: spent → released (the credit note of an invoice BPJS billing rejected: the money never left);
 * - `award`: budget and available up (an incentive scheme's extra quota for the village, paid from the
 *   commitment's unallocated budget);
 * - `award-payable`: in the commitment's own ledger partition, not a village's: an incentive scheme's money
 *   owed to a region, paid from the commitment's unallocated budget; it moves no allocation counter.
 */
export type LedgerEntryType =
  | 'allocate'
  | 'reallocate-in'
  | 'reallocate-out'
  | 'reserve'
  | 'spend'
  | 'release'
  | 'unreserve'
  | 'credit'
  | 'award'
  | 'award-payable';

export interface LedgerEntry {
  readonly type: LedgerEntryType;
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly amount: number;
  readonly fromReserved?: number;
  readonly fromAvailable?: number;
  readonly at: string;
  readonly [more: string]: unknown;
}

export interface Counters {
  budget: number;
  available: number;
  reserved: number;
  spent: number;
  released: number;
}

const ZERO: Readonly<Counters> = { budget: 0, available: 0, reserved: 0, spent: 0, released: 0 };

/**
 * What an entry moves on its allocation's counters: the one reading of each kind, used both by the writers
 * (the counter update that goes with the entry, `allocationUpdate`) and by `reconcile`.
 */
export const movesOf = (e: Pick<LedgerEntry, 'type' | 'amount' | 'fromReserved' | 'fromAvailable'>) => {
  switch (e.type) {
    case 'allocate':
    case 'reallocate-in':
    case 'award':
      return { budget: e.amount, available: e.amount };
    case 'award-payable':
      return {};
    case 'reallocate-out':
      return { budget: -e.amount, available: -e.amount };
    case 'reserve':
      return { available: -e.amount, reserved: e.amount };
    case 'unreserve':
      return { reserved: -e.amount, available: e.amount };
    case 'spend':
    case 'release': {
      const fromReserved = e.fromReserved ?? e.amount;
      const fromAvailable = e.fromAvailable ?? 0;
      const moved = fromReserved + fromAvailable;
      return {
        reserved: -fromReserved,
        available: -fromAvailable,
        ...(e.type === 'spend' ? { spent: moved } : { released: moved }),
      };
    }
    case 'credit':
      return { spent: -e.amount, released: e.amount };
  }
};

/** The counters the entries add up to. */
export const countersOf = (entries: readonly LedgerEntry[]): Counters => {
  const c = { ...ZERO };
  for (const e of entries) {
    for (const [name, delta] of Object.entries(movesOf(e)) as [keyof Counters, number][]) c[name] += delta;
  }
  return c;
};

/** A ledger entry ready to write: its key and its item. */
export interface LedgerItem {
  readonly entry: LedgerEntry;
  readonly action: TransactionAction;
}

interface Movement {
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly amount: number;
  readonly at: string;
}

/** The only place a ledger entry is made: its sort key says what made it, so a retry cannot write it twice. */
const entry = (tableName: string, entryId: string, fields: LedgerEntry): LedgerItem => ({
  entry: fields,
  action: {
    Put: {
      TableName: tableName,
      Item: {
        ...ledgerEntryKey(fields.commitmentId, fields.villageCode, entryId),
        entity: 'ledger',
        ...fields,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
});

/** The id of one side of one move of a reallocation's ledger entries (deterministic, so a retry rewrites nothing). */
const reallocationEntryId = (reallocationId: string, move: number, side: 'in' | 'out') =>
  `REALLOCATE#${reallocationId}#${String(move).padStart(2, '0')}#${side.toUpperCase()}`;

interface Award {
  readonly commitmentId: string;
  readonly schemeId: string;
  readonly regionCode: string;
  readonly amount: number;
  readonly at: string;
}

/** The builders of the ledger's entries, one per kind. */
export const ledgerEntries = (tableName: string) => ({
  /** A village's share of an approved commitment. */
  allocate: (m: Movement) => entry(tableName, 'ALLOCATE', { type: 'allocate', ...m }),
  /** One side of one move of an approved reallocation. */
  reallocate: (
    m: Movement & { reallocationId: string; move: number; side: 'in' | 'out'; counterpart: string },
  ) =>
    entry(tableName, reallocationEntryId(m.reallocationId, m.move, m.side), {
      type: m.side === 'out' ? 'reallocate-out' : 'reallocate-in',
      commitmentId: m.commitmentId,
      villageCode: m.villageCode,
      counterpart: m.counterpart,
      reallocationId: m.reallocationId,
      amount: m.amount,
      at: m.at,
    }),
  /** The premium reserved for an enrollment (or a worker carried over from the previous year). */
  reserve: (m: Movement & { enrollmentId: string; periods: readonly Period[]; carriedFrom?: string }) => {
    const { carriedFrom, ...rest } = m;
    return entry(tableName, carriedFrom ? `CARRY#${carriedFrom}` : ulid(), {
      type: 'reserve',
      commitmentId: rest.commitmentId,
      villageCode: rest.villageCode,
      enrollmentId: rest.enrollmentId,
      ...(carriedFrom && { carriedFrom }),
      amount: rest.amount,
      periods: rest.periods,
      at: rest.at,
    });
  },
  /** A period's invoice paid from the reservation (and, in monthly mode, from available quota). */
  spend: (
    m: Movement & {
      period: Period;
      invoiceId: string;
      fromReserved: number;
      fromAvailable: number;
      workers: number;
    },
  ) =>
    entry(tableName, `ROLL#${m.period}`, {
      type: 'spend',
      commitmentId: m.commitmentId,
      villageCode: m.villageCode,
      period: m.period,
      invoiceId: m.invoiceId,
      amount: m.amount,
      fromReserved: m.fromReserved,
      fromAvailable: m.fromAvailable,
      workers: m.workers,
      at: m.at,
    }),
  /**
   * The reserved premium given back when a coverage ends before its reservation does: to the available quota
   * (`toQuota`, a freed seat) or released for good.
   */
  endCoverage: (
    m: Movement & {
      enrollmentId: string;
      from: Period;
      periods: readonly Period[];
      reason: string;
      toQuota: boolean;
    },
  ) =>
    entry(tableName, `END#${m.enrollmentId}#${m.from}`, {
      type: m.toQuota ? 'unreserve' : 'release',
      commitmentId: m.commitmentId,
      villageCode: m.villageCode,
      enrollmentId: m.enrollmentId,
      amount: m.amount,
      ...(!m.toQuota && { fromReserved: m.amount, fromAvailable: 0 }),
      periods: m.periods,
      reason: m.reason,
      at: m.at,
    }),
  /** What is left of a village's quota at its fiscal year's close. */
  closeYear: (m: Movement) =>
    entry(tableName, 'CLOSE', {
      type: 'release',
      commitmentId: m.commitmentId,
      villageCode: m.villageCode,
      amount: m.amount,
      fromReserved: 0,
      fromAvailable: m.amount,
      reason: 'fiscal-year-end',
      at: m.at,
    }),
  /** An incentive scheme's extra quota for a village (one per scheme and village). */
  awardQuota: (m: Award & { workerYears: number }) =>
    entry(tableName, `AWARD#${m.schemeId}`, {
      type: 'award',
      commitmentId: m.commitmentId,
      villageCode: m.regionCode,
      schemeId: m.schemeId,
      workerYears: m.workerYears,
      amount: m.amount,
      at: m.at,
    }),
  /** An incentive scheme's money owed to a region: in the commitment's own partition (one per scheme and region). */
  awardPayable: (m: Award) =>
    entry(tableName, `AWARD#${m.schemeId}#${m.regionCode}`, {
      type: 'award-payable',
      commitmentId: m.commitmentId,
      // No village: the entry belongs to the commitment's partition; the region it is owed to is `payee`.
      villageCode: '',
      payee: m.regionCode,
      schemeId: m.schemeId,
      amount: m.amount,
      at: m.at,
    }),
  /** The credit note of an invoice billing refused: spent money that never left. */
  credit: (m: Movement & { period: Period; invoiceId: string; creditNote: string }) =>
    entry(tableName, `CREDIT#${m.period}`, {
      type: 'credit',
      commitmentId: m.commitmentId,
      villageCode: m.villageCode,
      period: m.period,
      invoiceId: m.invoiceId,
      creditNote: m.creditNote,
      amount: m.amount,
      at: m.at,
    }),
});

/**
 * The update of an allocation's counters by `moves` (e.g. `movesOf(entry)`), under the caller's condition,
 * with more to set if it needs (`also`, e.g. `workers = workers + :one`). Value names `:move_*` are its own.
 */
export const allocationUpdate = (
  tableName: string,
  key: { commitmentId: string; villageCode: string },
  moves: Partial<Counters>,
  condition: {
    readonly expression: string;
    readonly names?: Record<string, string>;
    readonly values?: Record<string, unknown>;
    readonly also?: readonly string[];
    readonly returnOldOnFailure?: boolean;
  },
): TransactionAction => {
  const changed = (Object.entries(moves) as [keyof Counters, number][]).filter(([, n]) => n !== 0);
  const sets = [...changed.map(([name]) => `${name} = ${name} + :move_${name}`), ...(condition.also ?? [])];
  return {
    Update: {
      TableName: tableName,
      Key: allocationKey(key.commitmentId, key.villageCode),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition.expression,
      ...(condition.names && { ExpressionAttributeNames: condition.names }),
      ExpressionAttributeValues: {
        ...Object.fromEntries(changed.map(([name, n]) => [`:move_${name}`, n])),
        ...condition.values,
      },
      ...(condition.returnOldOnFailure && { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
    },
  };
};

export interface Reconciliation {
  readonly villageCode: string;
  readonly fromLedger: Counters;
  readonly counters: Counters;
  /** The counters that disagree with the ledger, and any broken conservation (I2, I5). */
  readonly problems: readonly string[];
}

/** Compares an allocation's counters with its ledger; `problems` is empty when they reconcile. */
export const reconcile = (allocation: AllocationRecord, entries: readonly LedgerEntry[]): Reconciliation => {
  const fromLedger = countersOf(entries);
  const counters: Counters = {
    budget: allocation.budget,
    available: allocation.available,
    reserved: allocation.reserved,
    spent: allocation.spent,
    released: allocation.released,
  };
  const problems: string[] = [];
  for (const name of Object.keys(ZERO) as (keyof Counters)[]) {
    if (fromLedger[name] !== counters[name]) {
      problems.push(`${name}: counter ${counters[name]} but ledger ${fromLedger[name]}`);
    }
  }
  const accounted = counters.available + counters.reserved + counters.spent + counters.released;
  if (accounted !== counters.budget) {
    problems.push(`budget ${counters.budget} ≠ available + reserved + spent + released ${accounted}`);
  }
  if (counters.available < 0 || counters.reserved < 0) problems.push('a counter is negative');
  return { villageCode: allocation.villageCode, fromLedger, counters, problems };
};

/** A commitment's totals against its allocations and its own ledger partition (I1, and I5 for awards). */
export interface CommitmentReconciliation {
  readonly commitmentId: string;
  /** Σ allocation budgets (quotas, awarded quota included) and Σ money awards owed to regions. */
  readonly fromItems: { readonly quotas: number; readonly payables: number };
  readonly allocated: number;
  readonly problems: readonly string[];
}

/**
 * Compares a commitment's `allocated` (grown by every award) with its village quotas and its money awards
 * (`award-payable` entries of its own partition), and checks I1 (`allocated ≤ budget`).
 */
export const reconcileCommitment = (
  commitment: {
    readonly id: string;
    readonly budget: number;
    readonly allocated: number;
    readonly awarded?: number;
  },
  allocations: readonly { readonly budget: number }[],
  commitmentEntries: readonly LedgerEntry[],
): CommitmentReconciliation => {
  const quotas = allocations.reduce((total, a) => total + a.budget, 0);
  const payables = commitmentEntries
    .filter((e) => e.type === 'award-payable')
    .reduce((total, e) => total + e.amount, 0);
  const problems: string[] = [];
  if (commitment.allocated !== quotas + payables) {
    problems.push(`allocated ${commitment.allocated} ≠ quotas ${quotas} + money awards ${payables}`);
  }
  if ((commitment.awarded ?? 0) !== payables) {
    problems.push(`awarded ${commitment.awarded ?? 0} but ledger ${payables}`);
  }
  if (commitment.allocated > commitment.budget) {
    problems.push(`allocated ${commitment.allocated} > budget ${commitment.budget} (I1)`);
  }
  return {
    commitmentId: commitment.id,
    fromItems: { quotas, payables },
    allocated: commitment.allocated,
    problems,
  };
};

export class LedgerRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every entry of one allocation, oldest first (reads page by page). */
  async entries(commitmentId: string, villageCode: string): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': ledgerPartition(commitmentId, villageCode) },
      ConsistentRead: true,
    });
    for await (const items of pages) entries.push(...(items as LedgerEntry[]));
    return entries;
  }

  /** Reconciles a commitment's totals with its allocations and its own ledger partition (money awards). */
  async reconcileCommitment(
    commitment: Parameters<typeof reconcileCommitment>[0],
    allocations: readonly { readonly budget: number }[],
  ): Promise<CommitmentReconciliation> {
    return reconcileCommitment(commitment, allocations, await this.entries(commitment.id, ''));
  }

  /** Reconciles one allocation with its ledger. */
  async reconcile(allocation: AllocationRecord): Promise<Reconciliation> {
    return reconcile(allocation, await this.entries(allocation.commitmentId, allocation.villageCode));
  }
}
