/**
 * The contribution ledger read back: a worker's entries against their balance, a partner's entries against its
 * totals and period counters (invariant I5 extended: deposited = applied + balance + refunded). Auditors and
 * tests use it; no request path does (the function bundles leave it out).
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { queryPages } from './client.js';
import type { ContributionBalance, ContributionEntryType, DepositRepository } from './deposits.js';
import { contributionLedgerIndex, contributionLedgerPartition, partnerKey, remittanceKey } from './keys.js';
import { nikKey } from './nik-key.js';

export interface ContributionEntry {
  readonly type: ContributionEntryType;
  readonly partnerId: string;
  readonly receiptNumber: string;
  readonly amount: number;
  readonly at: string;
}

export interface ContributionReconciliation {
  readonly fromLedger: ContributionBalance;
  readonly counters: ContributionBalance;
  /** Counters that disagree with the ledger, and any broken conservation; empty when they reconcile. */
  readonly problems: readonly string[];
}

const ZERO_BALANCE: ContributionBalance = { balance: 0, deposited: 0, refunded: 0, applied: 0 };

/** What the entries add up to. */
export const contributionTotalsOf = (entries: readonly ContributionEntry[]): ContributionBalance => {
  const sum = (type: ContributionEntryType) =>
    entries.filter((e) => e.type === type).reduce((s, e) => s + e.amount, 0);
  const deposited = sum('deposit');
  const refunded = sum('refund');
  const applied = sum('apply');
  return { deposited, refunded, applied, balance: deposited - refunded - applied };
};

/** Compares counters with the ledger's sums and checks deposited = applied + balance + refunded. */
export const reconcileContributions = (
  counters: ContributionBalance,
  entries: readonly ContributionEntry[],
): ContributionReconciliation => {
  const fromLedger = contributionTotalsOf(entries);
  const problems: string[] = [];
  for (const name of Object.keys(ZERO_BALANCE) as (keyof ContributionBalance)[]) {
    if (fromLedger[name] !== counters[name]) {
      problems.push(`${name}: counter ${counters[name]} but ledger ${fromLedger[name]}`);
    }
  }
  const accounted = counters.applied + counters.balance + counters.refunded;
  if (accounted !== counters.deposited) {
    problems.push(`deposited ${counters.deposited} ≠ applied + balance + refunded ${accounted}`);
  }
  if (counters.balance < 0) problems.push('the balance is negative');
  return { fromLedger, counters, problems };
};

const numberOf = (item: Record<string, unknown>, name: string) => Number(item[name] ?? 0);

export class ContributionLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly deposits: DepositRepository,
  ) {}

  /** Every contribution ledger entry of a worker (consistent read). */
  async workerEntries(nik: string): Promise<ContributionEntry[]> {
    const entries: ContributionEntry[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': contributionLedgerPartition(nikKey(nik)) },
      ConsistentRead: true,
    });
    for await (const items of pages) entries.push(...(items as unknown as ContributionEntry[]));
    return entries;
  }

  /** A worker's balance reconciled with their contribution ledger. */
  async reconcileWorker(nik: string): Promise<ContributionReconciliation> {
    const [counters, entries] = await Promise.all([this.deposits.balance(nik), this.workerEntries(nik)]);
    return reconcileContributions(counters, entries);
  }

  /**
   * A partner's totals reconciled with the ledger entries it made, and with its period counters (their sums
   * are what it deposited and applied, and how many deposit entries there are); each period's remittance total
   * is what was applied in it.
   */
  async reconcilePartner(partnerId: string): Promise<ContributionReconciliation> {
    const partner = await this.deposits.requirePartner(partnerId);
    const entries: ContributionEntry[] = [];
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': contributionLedgerIndex(partnerId, '').gsi1pk },
    })) {
      entries.push(...(items as unknown as ContributionEntry[]));
    }
    const periods = { collected: 0, deposits: 0, applied: 0 };
    const appliedByPeriod = new Map<string, number>();
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partnerKey(partnerId).pk, ':prefix': 'PERIOD#' },
      ConsistentRead: true,
    })) {
      for (const item of items) {
        periods.collected += numberOf(item, 'collected');
        periods.deposits += numberOf(item, 'deposits');
        periods.applied += numberOf(item, 'applied');
        if (numberOf(item, 'applied') > 0)
          appliedByPeriod.set(String(item.period), numberOf(item, 'applied'));
      }
    }
    const { held, ...rest } = partner.totals;
    const reconciliation = reconcileContributions({ ...rest, balance: held }, entries);
    const problems = [...reconciliation.problems];
    if (periods.collected !== partner.totals.deposited) {
      problems.push(`periods collected ${periods.collected} but deposited ${partner.totals.deposited}`);
    }
    if (periods.applied !== partner.totals.applied) {
      problems.push(`periods applied ${periods.applied} but the partner applied ${partner.totals.applied}`);
    }
    for (const [period, applied] of appliedByPeriod) {
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: remittanceKey(partnerId, period),
          ConsistentRead: true,
        }),
      );
      if (numberOf(Item ?? {}, 'total') !== applied) {
        problems.push(
          `remittance of ${period} is ${numberOf(Item ?? {}, 'total')} but ${applied} was applied`,
        );
      }
    }
    const depositEntries = entries.filter((e) => e.type === 'deposit').length;
    if (periods.deposits !== depositEntries) {
      problems.push(`periods count ${periods.deposits} deposits but the ledger ${depositEntries}`);
    }
    return { ...reconciliation, problems };
  }
}
