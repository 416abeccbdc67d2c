/**
 * The append-only budget ledger: every movement of money of an allocation is an entry in the allocation's
 * ledger partition, written in the same transaction as the counters it moves. `reconcile` recomputes the
 * counters from the entries, so an auditor (and the tests) can prove they agree (invariant I5).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryPages } from './client.js';
import type { AllocationRecord } from './commitments.js';
import { ledgerPartition } from './keys.js';

/**
 * The kinds of entry and what they move:
 * - `allocate`, `reallocate-in`: budget and available up; `reallocate-out`: both down;
 * - `reserve`: available → reserved (an enrollment, a carried-over worker);
 * - `spend`: reserved (`fromReserved`) and available (`fromAvailable`) → spent (a period's invoice);
 * - `release`: reserved (`fromReserved`) and available (`fromAvailable`) → released (an ended coverage,
 *   the year-end close);
 * - `credit`: spent → released (the credit note of an invoice BPJS billing rejected: the money never left).
 */
export type LedgerEntryType =
  | 'allocate'
  | 'reallocate-in'
  | 'reallocate-out'
  | 'reserve'
  | 'spend'
  | 'release'
  | 'credit';

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

/** The counters the entries add up to. */
export const countersOf = (entries: readonly LedgerEntry[]): Counters => {
  const c = { ...ZERO };
  for (const e of entries) {
    switch (e.type) {
      case 'allocate':
      case 'reallocate-in':
        c.budget += e.amount;
        c.available += e.amount;
        break;
      case 'reallocate-out':
        c.budget -= e.amount;
        c.available -= e.amount;
        break;
      case 'reserve':
        c.available -= e.amount;
        c.reserved += e.amount;
        break;
      case 'spend':
      case 'release': {
        const fromReserved = e.fromReserved ?? e.amount;
        const fromAvailable = e.fromAvailable ?? 0;
        c.reserved -= fromReserved;
        c.available -= fromAvailable;
        c[e.type === 'spend' ? 'spent' : 'released'] += fromReserved + fromAvailable;
        break;
      }
      case 'credit':
        c.spent -= e.amount;
        c.released += e.amount;
        break;
    }
  }
  return c;
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

  /** Reconciles one allocation with its ledger. */
  async reconcile(allocation: AllocationRecord): Promise<Reconciliation> {
    return reconcile(allocation, await this.entries(allocation.commitmentId, allocation.villageCode));
  }
}
