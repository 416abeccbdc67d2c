/**
 * What the period roll reads and writes, and nothing it decides: closing a village's period for changes,
 * carrying a worker into the next year, closing an allocation at its year's end, alerts, and the fan-out's
 * index reads. The use cases that decide (which workers renew, end or carry over, what is invoiced) are
 * `@lindung/roll`'s, over this repository and the others.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  commitmentMachine,
  enrollmentMachine,
  monthlyPremium,
  type Period,
  periodParts,
  type Rupiah,
} from '@lindung/core';
import { ulid } from 'ulid';
import { queryPages } from './client.js';
import type { AllocationRecord, Commitment } from './commitments.js';
import {
  claimMonths,
  coFunderOf,
  type Enrollment,
  type EnrollmentPayer,
  enrollmentPut,
  reservationCondition,
  type StoredEnrollment,
} from './enrollments.js';
import {
  ALLOCATION_SK_PREFIX,
  activeCommitmentIndex,
  alertKey,
  allocationKey,
  closedCommitmentIndex,
  commitmentBySponsor,
  commitmentKey,
  contributionPartnerIndex,
  enrollmentKey,
} from './keys.js';
import { allocationUpdate, ledgerEntries, movesOf } from './ledger.js';
import { statusCondition } from './status.js';
import { Transaction, TransactionRefused } from './transaction.js';

/** One unit of roll work: bring a village of a commitment through `period`, or close its fiscal year. */
export interface RenewalWork {
  readonly period: Period;
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly action: 'renew' | 'close';
}

/** One unit of the contribution roll: apply a collection partner's accounts through `period`, then remit. */
export interface ContributionWork {
  readonly period: Period;
  readonly partnerId: string;
  readonly action: 'contributions';
}

/** A unit of roll work on the renewal-work queue: a village's, or a collection partner's. */
export type RollWork = RenewalWork | ContributionWork;

/** Whether a unit of roll work is a village's (renew or close). */
export const isVillageWork = (work: RollWork): work is RenewalWork => work.action !== 'contributions';

/** An allocation as the roll reads it, with how far it is closed and rolled. */
export type RollingAllocation = AllocationRecord & { rolledThrough?: Period; closedThrough?: Period };

const now = () => new Date().toISOString();

/** A worker's coverage carried into the sponsor's next-year commitment `to` from `start`. */
const carriedEnrollment = (
  old: StoredEnrollment,
  to: Commitment,
  start: Period,
  periods: readonly Period[],
  amount: Rupiah,
  payers: readonly EnrollmentPayer[] | undefined,
): Enrollment => ({
  id: ulid(),
  commitmentId: to.id,
  villageCode: old.villageCode,
  nikMasked: old.nikMasked,
  ...(old.name && { name: old.name }),
  birthDate: old.birthDate,
  sex: old.sex,
  status: 'active',
  startPeriod: start,
  reservedThrough: periods.at(-1) ?? start,
  reservedAmount: amount,
  monthlyPremium: monthlyPremium(to.benefit, start),
  enrolledBy: 'period-roll',
  enrolledAt: now(),
  reservation: to.reservation,
  ...(payers && { payers }),
  carriedFrom: old.id,
});

export class RollRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Collection partners with contribution accounts not rolled through `period` yet, a page at a time (gsi2). */
  async *partnersToRoll(period: Period): AsyncGenerator<string[]> {
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      FilterExpression:
        'attribute_not_exists(contributionsRolledThrough) OR contributionsRolledThrough < :period',
      ExpressionAttributeValues: { ':pk': contributionPartnerIndex('').gsi2pk, ':period': period },
      ProjectionExpression: 'id',
    })) {
      if (items.length > 0) yield items.map((item) => String(item.id));
    }
  }

  /**
   * Closes a village's `period` for changes: from here on no enrollment may start in it and no coverage may
   * end before it (their conditions read `closedThrough`). Returns the allocation as it is now.
   */
  async closeForChanges(
    commitmentId: string,
    villageCode: string,
    period: Period,
  ): Promise<RollingAllocation> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: allocationKey(commitmentId, villageCode),
        UpdateExpression: 'SET closedThrough = :period',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(closedThrough) OR closedThrough <= :period)',
        ExpressionAttributeValues: { ':period': period },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RollingAllocation;
  }

  /**
   * Carries one worker of the previous year into `to` from `start` in one transaction: the new coverage
   * reserves `amount` for `periods` from the village's quota, the old one expires as carried over.
   * With `payers` naming a co-funder of `to`, its share is reserved from its own quota in the same transaction.
   * `no-room` when a quota cannot take it, `skipped` when the worker is covered or carried already.
   */
  async carry(
    old: StoredEnrollment,
    to: Commitment,
    villageCode: string,
    start: Period,
    {
      periods,
      amount,
      payers,
    }: { periods: readonly Period[]; amount: Rupiah; payers?: readonly EnrollmentPayer[] | undefined },
  ): Promise<'carried' | 'skipped' | 'no-room'> {
    const { tableName } = this;
    const carried = carriedEnrollment(old, to, start, periods, amount, payers);
    const coFunder = coFunderOf(carried);
    const ledger = ledgerEntries(tableName).reserve({
      commitmentId: to.id,
      villageCode,
      enrollmentId: carried.id,
      carriedFrom: old.id,
      amount,
      periods,
      at: carried.enrolledAt,
    });
    const carry = statusCondition(enrollmentMachine, 'carry-over');
    const transaction = new Transaction();
    if (coFunder) {
      const coFunderLedger = ledgerEntries(tableName).reserve({
        commitmentId: coFunder.commitmentId,
        villageCode,
        enrollmentId: carried.id,
        carriedFrom: old.id,
        amount: coFunder.reservedAmount,
        periods,
        at: carried.enrolledAt,
      });
      transaction
        .add(
          'co-funder allocation',
          allocationUpdate(
            tableName,
            { commitmentId: coFunder.commitmentId, villageCode },
            movesOf(coFunderLedger.entry),
            reservationCondition(coFunder.reservedAmount, start, 1),
          ),
        )
        .add('co-funder ledger', coFunderLedger.action);
    }
    try {
      await transaction
        .add(
          'allocation',
          allocationUpdate(tableName, carried, movesOf(ledger.entry), reservationCondition(amount, start, 1)),
        )
        .add(
          'claim',
          claimMonths(
            tableName,
            old.nikKey,
            to.fiscalYear,
            periods.map((p) => periodParts(p).month),
          ),
        )
        .add('enrollment', enrollmentPut(tableName, carried, old.nik, old.nikKey))
        .add('carried-from', {
          Update: {
            TableName: tableName,
            Key: enrollmentKey(old.commitmentId, villageCode, old.id),
            UpdateExpression:
              'SET #status = :expired, endPeriod = :start, endReason = :reason, carriedTo = :to, endedAt = :at',
            ConditionExpression: `${carry.expression} AND attribute_not_exists(carriedTo) AND attribute_not_exists(endPeriod)`,
            ExpressionAttributeNames: carry.names,
            ExpressionAttributeValues: {
              ...carry.values,
              ':expired': carry.to,
              ':start': start,
              ':reason': 'carried-over',
              ':to': carried.id,
              ':at': carried.enrolledAt,
            },
          },
        })
        .add('ledger', ledger.action)
        .add('year-open', {
          // A closed year has ended its running coverage already (closing writes no worker): nothing to carry.
          ConditionCheck: {
            TableName: tableName,
            Key: allocationKey(old.commitmentId, villageCode),
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'active' },
          },
        })
        .run(this.db);
      return 'carried';
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed('allocation') || error.failed('co-funder allocation')) return 'no-room';
      if (error.failedActions.length > 0) return 'skipped';
      throw error;
    }
  }

  /**
   * Closes a village's allocation at its year's end: what is left of it (`left`, still available) is
   * released with its ledger entry. False if the allocation is no longer active with `left` available (closed
   * by an earlier attempt, or `available` moved meanwhile): the caller reads it again to tell which.
   */
  async closeAllocation(
    commitmentId: string,
    villageCode: string,
    left: Rupiah,
    december: Period,
  ): Promise<boolean> {
    const ledger = ledgerEntries(this.tableName).closeYear({
      commitmentId,
      villageCode,
      amount: left,
      at: now(),
    });
    try {
      await new Transaction()
        .add(
          'allocation',
          allocationUpdate(this.tableName, ledger.entry, movesOf(ledger.entry), {
            expression: '#status = :active AND available = :left',
            names: { '#status': 'status' },
            values: { ':closed': 'closed', ':active': 'active', ':left': left, ':december': december },
            also: ['#status = :closed', 'closedThrough = :december'],
          }),
        )
        .add('ledger', ledger.action)
        .run(this.db);
      return true;
    } catch (error) {
      if (error instanceof TransactionRefused && error.failed('allocation')) return false;
      throw error;
    }
  }

  /** The ids of a sponsor's commitments of a fiscal year that are (or were) active. */
  async commitmentsOfYear(sponsorId: string, fiscalYear: number): Promise<string[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :year)',
        ExpressionAttributeValues: {
          ':pk': commitmentBySponsor(sponsorId, fiscalYear, '').gsi1pk,
          ':year': `${fiscalYear}#`,
        },
      }),
    );
    return Items.filter((item) => item.status === 'active' || item.status === 'closed').map(
      (item) => item.id as string,
    );
  }

  /** Records an alert for the sponsor once per (period, village, kind). */
  async alert(
    commitment: Commitment,
    villageCode: string,
    period: Period,
    kind: string,
    facts: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...alertKey(commitment.sponsorId, period, villageCode, kind),
            entity: 'alert',
            kind,
            sponsorId: commitment.sponsorId,
            commitmentId: commitment.id,
            villageCode,
            period,
            ...facts,
            at: now(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The ids of the commitments active in the roll's index for `fiscalYear`. */
  activeCommitments(fiscalYear: number): AsyncGenerator<string> {
    return this.commitmentIds(activeCommitmentIndex(fiscalYear, '').gsi2pk);
  }

  /** The sponsors with commitments this year or last (closed ones of last year included). */
  async recentSponsors(year: number): Promise<Set<string>> {
    const sponsors = new Set<string>();
    for (const pk of [
      activeCommitmentIndex(year, '').gsi2pk,
      activeCommitmentIndex(year - 1, '').gsi2pk,
      closedCommitmentIndex(year - 1, '').gsi2pk,
    ]) {
      for await (const items of queryPages(this.db, {
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'sponsorId',
      })) {
        for (const item of items) sponsors.add(item.sponsorId as string);
      }
    }
    return sponsors;
  }

  private async *commitmentIds(gsi2pk: string) {
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi2pk },
      ProjectionExpression: 'id',
    });
    for await (const items of pages) for (const item of items) yield item.id as string;
  }

  /** Pages of a commitment's open villages; with `notRolledThrough`, only those not rolled through that period. */
  async *allocationPages(commitmentId: string, notRolledThrough?: Period) {
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: notRolledThrough
        ? '#status = :active AND (attribute_not_exists(rolledThrough) OR rolledThrough < :period)'
        : '#status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': commitmentKey(commitmentId).pk,
        ':prefix': ALLOCATION_SK_PREFIX,
        ':active': 'active',
        ...(notRolledThrough && { ':period': notRolledThrough }),
      },
      ProjectionExpression: 'villageCode',
    });
    for await (const items of pages) {
      const villages = items.map((item) => item.villageCode as string);
      if (villages.length > 0) yield villages;
    }
  }

  /**
   * Marks a commitment of the year being closed as closed once its close units are queued; once none of its
   * villages is left open (`finished`), moves it from the roll's index to the closed commitments of its year.
   */
  async markClosed(commitmentId: string, fiscalYear: number, finished: boolean) {
    const closed = closedCommitmentIndex(fiscalYear, commitmentId);
    const closing = statusCondition(commitmentMachine, 'close');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commitmentKey(commitmentId),
          ...(finished
            ? {
                UpdateExpression:
                  'SET #status = :closed, closedAt = if_not_exists(closedAt, :at), gsi2pk = :closedPk, gsi2sk = :closedSk',
                ConditionExpression: 'gsi2pk = :activePk',
                ExpressionAttributeValues: {
                  ':closed': 'closed',
                  ':at': now(),
                  ':closedPk': closed.gsi2pk,
                  ':closedSk': closed.gsi2sk,
                  ':activePk': activeCommitmentIndex(fiscalYear, '').gsi2pk,
                },
              }
            : {
                UpdateExpression: 'SET #status = :closed, closedAt = :at',
                ConditionExpression: closing.expression,
                ExpressionAttributeValues: { ...closing.values, ':closed': closing.to, ':at': now() },
              }),
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
