/**
 * Incentive schemes and their awards (issue 19). A scheme is one item with its terms; while it waits for its
 * period's end it sits in a sparse index the roll reads. An award is written once: one transaction puts the
 * award item (keyed by scheme + region, `attribute_not_exists`), grows the commitment's `allocated` under the
 * condition that it stays within the budget (I1), for an extra quota grows the village's allocation, and
 * appends the ledger entry (I5). A retried or concurrent evaluation finds the award item and changes nothing.
 * An award the budget cannot pay is recorded as `unfunded`, with its reason, so it is never silently lost.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BasisPoints,
  type IncentiveAward,
  NotFoundError,
  type Period,
  periodParts,
  type Rupiah,
  spans,
} from '@lindung/core';
import { ulid } from 'ulid';
import { queryPages, withoutKeys } from './client.js';
import {
  commitmentKey,
  enrollmentIndexes,
  INCENTIVE_AWARD_SK_PREFIX,
  incentiveAwardKey,
  incentiveBySponsor,
  incentiveKey,
  isStoreId,
  pendingIncentiveIndex,
} from './keys.js';
import { allocationUpdate, ledgerEntries, movesOf } from './ledger.js';
import { Transaction, TransactionRefused } from './transaction.js';

/** What a scheme found when it was evaluated (counted from its award items, whoever wrote them). */
export interface IncentiveOutcome {
  readonly evaluatedAt: string;
  /** Regions that reached the threshold: each has one award item, funded or not. */
  readonly reached: number;
  readonly awarded: number;
  readonly unfunded: number;
}

/** The terms of a scheme, as the API validated them. */
export interface IncentiveTerms {
  readonly sponsorId: string;
  readonly commitmentId: string;
  readonly fiscalYear: number;
  readonly name: string;
  /** By when the regions must reach the threshold; evaluated once this period has ended. */
  readonly period: Period;
  readonly regions: readonly string[];
  /** The share of each region's target to reach, in basis points. */
  readonly threshold: BasisPoints;
  readonly award: IncentiveAward;
  /** What one award costs the commitment (the money, or the worker-years at the benefit's yearly premium). */
  readonly awardCost: Rupiah;
}

export interface IncentiveScheme extends IncentiveTerms {
  readonly id: string;
  readonly status: 'pending' | 'evaluated';
  readonly createdBy: string;
  readonly createdAt: string;
  readonly outcome?: IncentiveOutcome;
}

/** A region's award of a scheme. */
export interface IncentiveAwardRecord {
  readonly schemeId: string;
  readonly sponsorId: string;
  readonly commitmentId: string;
  readonly regionCode: string;
  readonly period: Period;
  readonly kind: IncentiveAward['kind'];
  readonly amount: Rupiah;
  readonly workerYears?: number;
  /** Workers covered in the region in the scheme's period, and the workers its target asks. */
  readonly covered: number;
  readonly target: number;
  /** `awarded`: the money or quota moved; `unfunded`: recorded, but nothing moved (see `reason`). */
  readonly status: 'awarded' | 'unfunded';
  readonly reason?: 'budget-exceeded' | 'commitment-not-active' | 'allocation-closed';
  readonly at: string;
}

/** How one region's award went: written now, already there, or recorded as unfunded now. */
export type AwardResult = 'awarded' | 'unfunded' | 'already';

/** Every item a query finds, as records of their entity. */
const collect = async <T>(pages: AsyncIterable<Record<string, unknown>[]>): Promise<T[]> => {
  const all: T[] = [];
  for await (const items of pages) for (const item of items) all.push(withoutKeys<T>(item) as T);
  return all;
};

/** Whether an enrollment's coverage includes `period` (it started by then and had not ended). */
const covers = (item: Record<string, unknown>, period: Period): boolean =>
  spans(item as { startPeriod: Period; endPeriod?: Period }, period);

export class IncentiveRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records a new scheme, pending until its period has ended. */
  async create(terms: IncentiveTerms, createdBy: string): Promise<IncentiveScheme> {
    const scheme: IncentiveScheme = {
      ...terms,
      id: ulid(),
      status: 'pending',
      createdBy,
      createdAt: new Date().toISOString(),
    };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...incentiveKey(scheme.id),
          ...incentiveBySponsor(scheme.sponsorId, scheme.id),
          ...pendingIncentiveIndex(scheme.period, scheme.id),
          entity: 'incentive',
          ...scheme,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return scheme;
  }

  async get(id: string): Promise<IncentiveScheme | undefined> {
    if (!isStoreId(id)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: incentiveKey(id), ConsistentRead: true }),
    );
    return withoutKeys<IncentiveScheme>(Item);
  }

  async require(id: string): Promise<IncentiveScheme> {
    const scheme = await this.get(id);
    if (!scheme) throw new NotFoundError(`No incentive scheme ${id}`, { details: { schemeId: id } });
    return scheme;
  }

  /** A sponsor's schemes, newest first. */
  ofSponsor(sponsorId: string): Promise<IncentiveScheme[]> {
    return collect(
      queryPages(this.db, {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': incentiveBySponsor(sponsorId, '').gsi1pk },
        ScanIndexForward: false,
      }),
    );
  }

  /** The ids of pending schemes whose period is before `period` (their period has ended when it rolls). */
  async pendingBefore(period: Period): Promise<string[]> {
    const ids: string[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
      ExpressionAttributeValues: { ':pk': pendingIncentiveIndex('', '').gsi2pk, ':before': `${period}#` },
      ProjectionExpression: 'id',
    });
    for await (const items of pages) ids.push(...items.map((item) => String(item.id)));
    return ids;
  }

  /** A scheme's awards (funded or not), by region code. */
  awards(schemeId: string): Promise<IncentiveAwardRecord[]> {
    return collect(
      queryPages(this.db, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': incentiveKey(schemeId).pk, ':prefix': INCENTIVE_AWARD_SK_PREFIX },
        ConsistentRead: true,
      }),
    );
  }

  /**
   * The workers covered in a village in `period`, over every sponsor: its enrollments of the period's year
   * (the village's enrollment index) that started by then and had not ended. The source is the enrollments
   * themselves, not the reports' projection: by the time a period has ended they were written long before.
   */
  async coveredWorkers(villageCode: string, period: Period): Promise<number> {
    const workers = new Set<string>();
    const { year } = periodParts(period);
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': enrollmentIndexes('', villageCode, '').gsi2pk,
        ':from': `${year}-01`,
        ':to': `${period}#~`,
      },
      ProjectionExpression: 'nikKey, startPeriod, endPeriod',
    });
    for await (const items of pages) {
      for (const item of items) if (covers(item, period)) workers.add(String(item.nikKey));
    }
    return workers.size;
  }

  /**
   * Awards one region of a scheme, once: see the module comment. `already` when an award item of this scheme
   * and region exists (a retry, or a concurrent evaluation, got there first).
   */
  async award(
    scheme: IncentiveScheme,
    commitmentBudget: Rupiah,
    regionCode: string,
    measured: { readonly covered: number; readonly target: number },
  ): Promise<AwardResult> {
    const at = new Date().toISOString();
    const record: IncentiveAwardRecord = {
      schemeId: scheme.id,
      sponsorId: scheme.sponsorId,
      commitmentId: scheme.commitmentId,
      regionCode,
      period: scheme.period,
      kind: scheme.award.kind,
      amount: scheme.awardCost,
      ...(scheme.award.kind === 'quota' && { workerYears: scheme.award.workerYears }),
      ...measured,
      status: 'awarded',
      at,
    };
    const cost = scheme.awardCost;
    const money = scheme.award.kind === 'money';
    // `awarded` is money owed to regions; `awardedQuota` extra village quota (inside `allocated` already).
    const counter = money ? 'awarded' : 'awardedQuota';
    const transaction = new Transaction().add('award', this.awardPut(record)).add('commitment', {
      Update: {
        TableName: this.tableName,
        Key: commitmentKey(scheme.commitmentId),
        UpdateExpression: `SET allocated = allocated + :cost, ${counter} = if_not_exists(${counter}, :zero) + :cost`,
        // I1: what is allocated (quotas and money awards) never passes the budget.
        ConditionExpression: '#status = :active AND allocated <= :limit',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':cost': cost,
          ':active': 'active',
          ':limit': commitmentBudget - cost,
          ':zero': 0,
        },
      },
    });
    const entries = ledgerEntries(this.tableName);
    const movement = { commitmentId: scheme.commitmentId, schemeId: scheme.id, regionCode, amount: cost, at };
    if (scheme.award.kind === 'quota') {
      const ledger = entries.awardQuota({ ...movement, workerYears: scheme.award.workerYears });
      transaction
        .add(
          'allocation',
          allocationUpdate(
            this.tableName,
            { commitmentId: scheme.commitmentId, villageCode: regionCode },
            movesOf(ledger.entry),
            {
              expression: 'attribute_exists(pk) AND #status = :open',
              names: { '#status': 'status' },
              values: { ':open': 'active' },
            },
          ),
        )
        .add('ledger', ledger.action);
    } else {
      transaction.add('ledger', entries.awardPayable(movement).action);
    }
    try {
      await transaction.run(this.db);
      return 'awarded';
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed('award') || error.failed('ledger')) return 'already';
      const reason = error.failed('commitment')
        ? await this.commitmentRefusal(scheme.commitmentId)
        : error.failed('allocation')
          ? ('allocation-closed' as const)
          : undefined;
      if (!reason) throw error;
      return this.recordUnfunded({ ...record, status: 'unfunded', reason });
    }
  }

  /** Why a commitment refused an award: it is no longer active, or its budget cannot pay it. */
  private async commitmentRefusal(commitmentId: string) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: commitmentKey(commitmentId), ConsistentRead: true }),
    );
    return Item?.status === 'active' ? ('budget-exceeded' as const) : ('commitment-not-active' as const);
  }

  private async recordUnfunded(record: IncentiveAwardRecord): Promise<AwardResult> {
    try {
      await this.db.send(new PutCommand(this.awardPut(record).Put));
      return 'unfunded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already';
      throw error;
    }
  }

  /** The award item: the only way one is made. */
  private awardPut(record: IncentiveAwardRecord) {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...incentiveAwardKey(record.schemeId, record.regionCode),
          entity: 'incentive-award',
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /**
   * Marks a scheme evaluated with its outcome and takes it out of the pending index; a second evaluation's
   * mark (same awards, so the same outcome) leaves the first one's.
   */
  async markEvaluated(schemeId: string, outcome: IncentiveOutcome): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incentiveKey(schemeId),
          UpdateExpression: 'SET #status = :evaluated, outcome = :outcome REMOVE gsi2pk, gsi2sk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':evaluated': 'evaluated',
            ':pending': 'pending',
            ':outcome': outcome,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
