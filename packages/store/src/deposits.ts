/**
 * Collection partners, their deposits and the workers' contribution balances. A deposit is one transaction of
 * five named actions: the deposit (`attribute_not_exists`: one receipt number is one deposit), the worker's
 * balance (`ADD`), the partner's totals (the partner must exist), the partner's period counter, and an entry
 * of the worker's contribution ledger. A refund moves balance to refunded under the condition that the
 * balance (and what the partner holds) covers it: the database refuses an overdraft, no read decides it.
 * contribution-ledger.ts reconciles the counters with the ledger (invariant I5 extended).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  BalanceInsufficientError,
  depositContent,
  maskNik,
  NotFoundError,
  type PartnerKind,
  partnerFee,
  ReceiptConflictError,
} from '@lindung/core';
import { ulid } from 'ulid';
import { queryPage, queryPages } from './client.js';
import type { ContributionEntry } from './contribution-ledger.js';
import {
  contributionBalanceKey,
  contributionLedgerIndex,
  contributionLedgerKey,
  depositIndexes,
  depositKey,
  isStoreId,
  PARTNER_DIRECTORY_PK,
  partnerDirectoryKey,
  partnerKey,
  partnerPeriodKey,
  refundKey,
} from './keys.js';
import { nikKey } from './nik-key.js';
import { Transaction, type TransactionAction, TransactionRefused } from './transaction.js';

export interface PartnerTerms {
  readonly name: string;
  readonly kind: PartnerKind;
  /** The region it collects in: a province, regency, district or village code. */
  readonly areaCode: string;
  readonly feeRateBasisPoints: number;
}

export interface Partner extends PartnerTerms {
  readonly id: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** What a partner collected and gave back, all time: deposited = applied + held + refunded. */
export interface PartnerTotals {
  readonly deposited: number;
  readonly refunded: number;
  readonly applied: number;
  /** Contributions collected and neither refunded nor applied yet. */
  readonly held: number;
}

/** The kinds of contribution ledger entry; `apply` (a month of premium paid from a balance) is the roll's (contributions.ts). */
export type ContributionEntryType = 'deposit' | 'refund' | 'apply';

export interface DepositRequest {
  readonly partnerId: string;
  readonly receiptNumber: string;
  readonly nik: string;
  readonly amount: number;
  /** The calendar day it was handed over, `YYYY-MM-DD`; its period is the statement it counts in. */
  readonly depositedAt: string;
  readonly villageCode?: string;
  readonly recordedBy: string;
}

/** A deposit as the API shows it: the NIK masked. */
export interface Deposit {
  readonly partnerId: string;
  readonly receiptNumber: string;
  readonly nikMasked: string;
  readonly amount: number;
  readonly depositedAt: string;
  readonly period: string;
  readonly villageCode?: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

/** `recorded`: written now; `replayed`: the same receipt with the same content was recorded before. */
export interface DepositOutcome {
  readonly outcome: 'recorded' | 'replayed';
  readonly deposit: Deposit;
}

export interface RefundRequest {
  readonly partnerId: string;
  readonly receiptNumber: string;
  readonly nik: string;
  readonly amount: number;
  readonly reason: string;
  readonly refundedBy: string;
}

export interface Refund {
  readonly partnerId: string;
  readonly receiptNumber: string;
  readonly nikMasked: string;
  readonly amount: number;
  readonly reason: string;
  readonly refundedBy: string;
  readonly refundedAt: string;
}

export interface RefundOutcome {
  readonly outcome: 'recorded' | 'replayed';
  readonly refund: Refund;
}

/** A worker's contribution balance: deposited = applied + balance + refunded. */
export interface ContributionBalance {
  readonly balance: number;
  readonly deposited: number;
  readonly refunded: number;
  readonly applied: number;
}

export interface Statement {
  readonly partnerId: string;
  readonly period: string;
  readonly feeRateBasisPoints: number;
  readonly collected: number;
  readonly fee: number;
  readonly deposits: number;
  readonly workers: number;
}

const ENTITY = {
  partner: 'partner',
  partnerDirectory: 'partner-directory',
  partnerPeriod: 'partner-period',
  deposit: 'deposit',
  refund: 'refund',
  balance: 'contribution-balance',
  ledger: 'contribution-ledger',
} as const;

const now = () => new Date().toISOString();

const numberOf = (item: Record<string, unknown> | undefined, name: string) => Number(item?.[name] ?? 0);

const toPartner = (item: Record<string, unknown>): Partner => ({
  id: String(item.id),
  name: String(item.name),
  kind: item.kind as PartnerKind,
  areaCode: String(item.areaCode),
  feeRateBasisPoints: Number(item.feeRateBasisPoints),
  createdAt: String(item.createdAt),
  createdBy: String(item.createdBy),
});

/**
 * A partner's directory entry: the terms that list it, never its counters. Conditional, so the migration that
 * fills the directory for partners registered before it (migrations.ts) writes each once.
 */
export const partnerDirectoryPut = (tableName: string, partner: Partner): TransactionAction => ({
  Put: {
    TableName: tableName,
    Item: {
      ...partnerDirectoryKey(partner.areaCode, partner.id),
      entity: ENTITY.partnerDirectory,
      ...partner,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

const toDeposit = (item: Record<string, unknown>): Deposit => ({
  partnerId: String(item.partnerId),
  receiptNumber: String(item.receiptNumber),
  nikMasked: String(item.nikMasked),
  amount: Number(item.amount),
  depositedAt: String(item.depositedAt),
  period: String(item.period),
  ...(typeof item.villageCode === 'string' && { villageCode: item.villageCode }),
  recordedBy: String(item.recordedBy),
  recordedAt: String(item.recordedAt),
});

const toRefund = (item: Record<string, unknown>): Refund => ({
  partnerId: String(item.partnerId),
  receiptNumber: String(item.receiptNumber),
  nikMasked: String(item.nikMasked),
  amount: Number(item.amount),
  reason: String(item.reason),
  refundedBy: String(item.refundedBy),
  refundedAt: String(item.refundedAt),
});

/** A raw item DynamoDB returned with a cancellation reason, as plain values (strings and numbers only). */
export const plain = (item: Record<string, AttributeValue> | undefined): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(item ?? {}).map(([name, value]) => [
      name,
      value.S ?? (value.N === undefined ? undefined : Number(value.N)),
    ]),
  );

/** The item of a deposit, made here only: its key, its indexes, and the worker's key (never the NIK). */
const depositItem = (deposit: Deposit, worker: string, content: string) => ({
  ...depositKey(deposit.partnerId, deposit.receiptNumber),
  ...depositIndexes(deposit.partnerId, worker, deposit.period, deposit.depositedAt, deposit.receiptNumber),
  entity: ENTITY.deposit,
  ...deposit,
  nikKey: worker,
  content,
});

/** The item of a refund, made here only. */
const refundItem = (refund: Refund, worker: string, content: string) => ({
  ...refundKey(refund.partnerId, refund.receiptNumber),
  entity: ENTITY.refund,
  ...refund,
  nikKey: worker,
  content,
});

/**
 * The only place a contribution ledger entry is made: its id names the partner's receipt, so a retry cannot
 * write it twice; the partner's index makes the partner's reconciliation one query.
 */
export const ledgerEntryPut = (
  tableName: string,
  worker: string,
  entry: ContributionEntry & { readonly period?: string; readonly reason?: string },
): TransactionAction => {
  const entryId = `${entry.type.toUpperCase()}#${entry.partnerId}#${entry.receiptNumber}`;
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...contributionLedgerKey(worker, entryId),
        ...contributionLedgerIndex(entry.partnerId, entryId),
        entity: ENTITY.ledger,
        ...entry,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
};

export class DepositRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Registers a partner with zero totals. */
  async createPartner(terms: PartnerTerms, createdBy: string): Promise<Partner> {
    const partner: Partner = { id: ulid(), ...terms, createdAt: now(), createdBy };
    await new Transaction()
      .add('partner', {
        Put: {
          TableName: this.tableName,
          Item: {
            ...partnerKey(partner.id),
            entity: ENTITY.partner,
            ...partner,
            deposited: 0,
            refunded: 0,
            applied: 0,
            held: 0,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })
      .add('directory entry', partnerDirectoryPut(this.tableName, partner))
      .run(this.db);
    return partner;
  }

  /**
   * The partners of an area (a province, regency, district or village code; every partner without one), by
   * area then registration, a page at a time: from the directory, one query.
   */
  async listPartners(
    areaCode: string | undefined,
    limit: number,
    pageToken?: string,
  ): Promise<{ items: Partner[]; nextPageToken?: string }> {
    const page = await queryPage(
      this.db,
      this.tableName,
      { pk: PARTNER_DIRECTORY_PK, prefix: areaCode ?? '' },
      limit,
      pageToken,
    );
    return { ...page, items: page.items.map(toPartner) };
  }

  async getPartner(id: string): Promise<(Partner & { totals: PartnerTotals }) | undefined> {
    if (!isStoreId(id)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: partnerKey(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const totals = {
      deposited: numberOf(Item, 'deposited'),
      refunded: numberOf(Item, 'refunded'),
      applied: numberOf(Item, 'applied'),
      held: numberOf(Item, 'held'),
    };
    return { ...toPartner(Item), totals };
  }

  async requirePartner(id: string): Promise<Partner & { totals: PartnerTotals }> {
    const partner = await this.getPartner(id);
    if (!partner) throw new NotFoundError(`No partner ${id}`, { details: { partnerId: id } });
    return partner;
  }

  /**
   * Records one deposit in one transaction, or answers the deposit its receipt number already names: the same
   * content is `replayed` (nothing written), other content a `ReceiptConflictError`.
   */
  async deposit(request: DepositRequest): Promise<DepositOutcome> {
    const worker = nikKey(request.nik);
    const period = request.depositedAt.slice(0, 7);
    const content = depositContent({ worker, ...request });
    const deposit: Deposit = {
      partnerId: request.partnerId,
      receiptNumber: request.receiptNumber,
      nikMasked: maskNik(request.nik),
      amount: request.amount,
      depositedAt: request.depositedAt,
      period,
      ...(request.villageCode && { villageCode: request.villageCode }),
      recordedBy: request.recordedBy,
      recordedAt: now(),
    };
    const amount = { ':amount': request.amount };
    const transaction = new Transaction()
      .add('deposit', {
        Put: {
          TableName: this.tableName,
          Item: depositItem(deposit, worker, content),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      })
      .add('balance', {
        Update: {
          TableName: this.tableName,
          Key: contributionBalanceKey(worker),
          UpdateExpression:
            'SET entity = :entity, nikKey = :worker ADD balance :amount, deposited :amount, refunded :zero, applied :zero',
          ExpressionAttributeValues: { ...amount, ':entity': ENTITY.balance, ':worker': worker, ':zero': 0 },
        },
      })
      .add('partner', {
        Update: {
          TableName: this.tableName,
          Key: partnerKey(request.partnerId),
          UpdateExpression: 'ADD deposited :amount, held :amount',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: amount,
        },
      })
      .add('period', {
        Update: {
          TableName: this.tableName,
          Key: partnerPeriodKey(request.partnerId, period),
          UpdateExpression:
            'SET entity = :entity, partnerId = :partner, period = :period ADD collected :amount, deposits :one',
          ExpressionAttributeValues: {
            ...amount,
            ':entity': ENTITY.partnerPeriod,
            ':partner': request.partnerId,
            ':period': period,
            ':one': 1,
          },
        },
      })
      .add(
        'ledger',
        ledgerEntryPut(this.tableName, worker, {
          type: 'deposit',
          partnerId: request.partnerId,
          receiptNumber: request.receiptNumber,
          amount: request.amount,
          period,
          at: deposit.recordedAt,
        }),
      );
    try {
      await transaction.run(this.db);
      return { outcome: 'recorded', deposit };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const old = error.failed('deposit');
      if (old) {
        const stored = plain(old.Item);
        if (stored.content === content) return { outcome: 'replayed', deposit: toDeposit(stored) };
        throw new ReceiptConflictError(
          `Receipt ${request.receiptNumber} of partner ${request.partnerId} is already a deposit of other content`,
          { details: { partnerId: request.partnerId, receiptNumber: request.receiptNumber } },
        );
      }
      if (error.failed('partner')) {
        throw new NotFoundError(`No partner ${request.partnerId}`, {
          details: { partnerId: request.partnerId },
        });
      }
      throw error;
    }
  }

  /**
   * Gives back part of a worker's balance: one transaction whose conditions are the rule (the worker's balance
   * and what the partner holds both cover the amount). The receipt number makes it idempotent as a deposit's.
   */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    const worker = nikKey(request.nik);
    const content = [worker, request.amount, request.reason].join('|');
    const refund: Refund = {
      partnerId: request.partnerId,
      receiptNumber: request.receiptNumber,
      nikMasked: maskNik(request.nik),
      amount: request.amount,
      reason: request.reason,
      refundedBy: request.refundedBy,
      refundedAt: now(),
    };
    const values = { ':amount': request.amount, ':negative': -request.amount };
    const transaction = new Transaction()
      .add('refund', {
        Put: {
          TableName: this.tableName,
          Item: refundItem(refund, worker, content),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      })
      .add('balance', {
        Update: {
          TableName: this.tableName,
          Key: contributionBalanceKey(worker),
          UpdateExpression: 'ADD balance :negative, refunded :amount',
          // The rule itself: no refund beyond the balance.
          ConditionExpression: 'balance >= :amount',
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      })
      .add('partner', {
        Update: {
          TableName: this.tableName,
          Key: partnerKey(request.partnerId),
          UpdateExpression: 'ADD held :negative, refunded :amount',
          // A partner gives back only money it collected and still holds.
          ConditionExpression: 'attribute_exists(pk) AND held >= :amount',
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      })
      .add(
        'ledger',
        ledgerEntryPut(this.tableName, worker, {
          type: 'refund',
          partnerId: request.partnerId,
          receiptNumber: request.receiptNumber,
          amount: request.amount,
          reason: request.reason,
          at: refund.refundedAt,
        }),
      );
    try {
      await transaction.run(this.db);
      return { outcome: 'recorded', refund };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const answer = this.refundRefusal(error, request, content);
      if (answer instanceof Error) throw answer;
      if (answer) return answer;
      throw error;
    }
  }

  /** What a cancelled refund means: the refund already recorded (replayed), or the domain error. */
  private refundRefusal(
    error: TransactionRefused,
    request: RefundRequest,
    content: string,
  ): Error | RefundOutcome | undefined {
    const details = { partnerId: request.partnerId, receiptNumber: request.receiptNumber };
    const old = error.failed('refund');
    if (old) {
      const stored = plain(old.Item);
      if (stored.content === content) return { outcome: 'replayed', refund: toRefund(stored) };
      return new ReceiptConflictError(
        `Receipt ${request.receiptNumber} of partner ${request.partnerId} is already a refund of other content`,
        { details },
      );
    }
    const balance = error.failed('balance');
    if (balance) {
      const available = Number(balance.Item?.balance?.N ?? 0);
      return new BalanceInsufficientError(
        `The worker's contribution balance is Rp ${available}; the refund asks Rp ${request.amount}`,
        { details: { ...details, balance: available, required: request.amount } },
      );
    }
    const partner = error.failed('partner');
    if (partner) {
      if (!partner.Item) return new NotFoundError(`No partner ${request.partnerId}`, { details });
      const held = Number(partner.Item.held?.N ?? 0);
      return new BalanceInsufficientError(
        `Partner ${request.partnerId} holds Rp ${held} of contributions; the refund asks Rp ${request.amount}`,
        { details: { ...details, held, required: request.amount } },
      );
    }
    return undefined;
  }

  /** A worker's balance (zero for a worker with no deposit). */
  async balance(nik: string): Promise<ContributionBalance> {
    return this.balanceByKey(nikKey(nik));
  }

  private async balanceByKey(worker: string): Promise<ContributionBalance> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: contributionBalanceKey(worker),
        ConsistentRead: true,
      }),
    );
    return {
      balance: numberOf(Item, 'balance'),
      deposited: numberOf(Item, 'deposited'),
      refunded: numberOf(Item, 'refunded'),
      applied: numberOf(Item, 'applied'),
    };
  }

  /** A worker's deposits at one partner, newest first (at most `limit`). */
  async depositsOf(partnerId: string, nik: string, limit = 100): Promise<Deposit[]> {
    const deposits: Deposit[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': depositIndexes(partnerId, nikKey(nik), '', '', '').gsi1pk },
      ScanIndexForward: false,
    });
    for await (const items of pages) {
      deposits.push(...items.map(toDeposit));
      if (deposits.length >= limit) break;
    }
    return deposits.slice(0, limit);
  }

  /** A partner's statement of one period: collected, its fee (floor), deposits and distinct workers. */
  async statement(partner: Partner, period: string): Promise<Statement> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: partnerPeriodKey(partner.id, period),
        ConsistentRead: true,
      }),
    );
    const collected = numberOf(Item, 'collected');
    const workers = new Set<string>();
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': depositIndexes(partner.id, '', period, '', '').gsi2pk },
      ProjectionExpression: 'nikKey',
    });
    for await (const items of pages) for (const item of items) workers.add(String(item.nikKey));
    return {
      partnerId: partner.id,
      period,
      feeRateBasisPoints: partner.feeRateBasisPoints,
      collected,
      fee: partnerFee(collected, partner.feeRateBasisPoints),
      deposits: numberOf(Item, 'deposits'),
      workers: workers.size,
    };
  }
}
