/**
 * The period roll (flows 3 and 5 of DOMAIN.md). `rollPeriod` fans out one unit of work per (period,
 * commitment, village); `PeriodRenewal` does one unit: it closes the village's period for changes, plans
 * the renewal (packages/core `planRenewal`), ends the coverages that must end, issues the invoice and hands
 * it to billing. Every step is a conditional write keyed by the period, so a retried, redelivered or
 * duplicated unit ends in the same state as a single clean run (I4, I6).
 *
 * Cost: a steady month writes per village, not per worker: closing the period (1), the invoice
 * transaction (sequence, invoice, allocation, ledger) and marking it sent (1). Only workers whose coverage
 * changes (ends, carries into a new year) cost writes of their own.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  addMonths,
  type CoverageRecord,
  comparePeriods,
  coverageEnd,
  fiscalYearEnd,
  isEligibleAge,
  monthlyPremium,
  NotFoundError,
  type Period,
  periodOf,
  periodParts,
  periodRange,
  planRenewal,
  type Rupiah,
  releaseOnEnd,
  reservationAtEnrollment,
  UNPAID_PERIODS_BEFORE_LAPSE,
  ValidationError,
} from '@lindung/core';
import { ulid } from 'ulid';
import { cancellationReasons, queryPages } from './client.js';
import type { AllocationRecord, Commitment, CommitmentRepository } from './commitments.js';
import type { EnrollmentRepository, StoredEnrollment } from './enrollments.js';
import type { Invoice, InvoiceRepository, StoredInvoiceLine } from './invoices.js';
import {
  ALLOCATION_SK_PREFIX,
  activeCommitmentIndex,
  alertKey,
  allocationKey,
  commitmentBySponsor,
  commitmentKey,
  coverageClaimKey,
  enrollmentIndexes,
  enrollmentKey,
  ledgerEntryKey,
} from './keys.js';

/** One unit of roll work: bring a village of a commitment through `period`, or close its fiscal year. */
export interface RenewalWork {
  readonly period: Period;
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly action: 'renew' | 'close';
}

/** What a unit of roll work did (for logs, metrics and the tests' write counts). */
export interface RenewalOutcome {
  readonly periodsRolled: number;
  readonly invoices: number;
  readonly endings: number;
  readonly carriedOver: number;
}

export interface RenewalDependencies {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly commitments: CommitmentRepository;
  readonly enrollments: EnrollmentRepository;
  readonly invoices: InvoiceRepository;
  /** Hands an issued invoice with its lines to billing (the billing-outbox queue). */
  readonly publishInvoice: (invoice: Invoice, lines: readonly StoredInvoiceLine[]) => Promise<void>;
}

const now = () => new Date().toISOString();

const asCoverage = (e: StoredEnrollment): CoverageRecord => ({
  id: e.id,
  birthDate: e.birthDate as CoverageRecord['birthDate'],
  startPeriod: e.startPeriod,
  ...(e.endPeriod && { endPeriod: e.endPeriod }),
  status: e.status,
  enrolledAt: e.enrolledAt,
});

/** Enrollments still running at the end of their fiscal year, not yet carried into the next. */
const runningToYearEnd = (e: StoredEnrollment) =>
  e.status === 'active' && !e.carriedTo && coverageEnd(e) === fiscalYearEnd(e.startPeriod);

export class PeriodRenewal {
  constructor(private readonly deps: RenewalDependencies) {}

  /** Does one unit of roll work. */
  async run(work: RenewalWork): Promise<RenewalOutcome> {
    const commitment = await this.deps.commitments.require(work.commitmentId);
    if (work.action === 'close') return this.closeYear(commitment, work.villageCode);
    if (periodParts(work.period).year !== commitment.fiscalYear) {
      throw ValidationError.forField(
        'period',
        `is outside the fiscal year ${commitment.fiscalYear} of ${commitment.id}`,
      );
    }
    return this.renewThrough(commitment, work.villageCode, work.period);
  }

  /** Rolls every period not yet rolled up to `period`, in order (a missed month is caught up, never skipped). */
  private async renewThrough(
    commitment: Commitment,
    villageCode: string,
    period: Period,
  ): Promise<RenewalOutcome> {
    const allocation = await this.requireAllocation(commitment.id, villageCode);
    const first = allocation.rolledThrough
      ? addMonths(allocation.rolledThrough, 1)
      : periodOf(commitment.fiscalYear, 1);
    const outcome = { periodsRolled: 0, invoices: 0, endings: 0, carriedOver: 0 };
    for (const p of periodRange(first, period)) {
      const one = await this.renewOne(commitment, villageCode, p);
      outcome.periodsRolled++;
      outcome.invoices += one.invoices;
      outcome.endings += one.endings;
      outcome.carriedOver += one.carriedOver;
    }
    if (comparePeriods(first, period) > 0) await this.resend(commitment.id, villageCode, period);
    return outcome;
  }

  private async renewOne(commitment: Commitment, villageCode: string, period: Period) {
    const { db, tableName, enrollments, invoices } = this.deps;
    let carriedOver = 0;
    if (periodParts(period).month === 1) {
      for (const previous of await this.commitmentsOfYear(commitment.sponsorId, commitment.fiscalYear - 1)) {
        carriedOver += await this.carryOver(previous, commitment, villageCode);
      }
    }
    // From here on, no enrollment may start in `period` and no coverage may end before it (their
    // conditions read `closedThrough`), so what is read next is what the period's invoice must hold.
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: allocationKey(commitment.id, villageCode),
        UpdateExpression: 'SET closedThrough = :period',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(closedThrough) OR closedThrough <= :period)',
        ExpressionAttributeValues: { ':period': period },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const allocation = Attributes as AllocationRecord & { rolledThrough?: Period };
    if (allocation.rolledThrough && comparePeriods(allocation.rolledThrough, period) >= 0) {
      return { invoices: 0, endings: 0, carriedOver };
    }
    const stored = await enrollments.ofAllocation(commitment.id, villageCode);
    const byId = new Map(stored.map((e) => [e.id, e]));
    const premium = monthlyPremium(commitment.benefit, period);
    const plan = planRenewal({
      period,
      mode: commitment.reservation,
      premium,
      enrollments: stored.map(asCoverage),
      available: allocation.available,
      unpaidPeriodsBefore: await invoices.unpaidRunBefore(
        commitment.id,
        villageCode,
        period,
        UNPAID_PERIODS_BEFORE_LAPSE,
      ),
    });
    for (const ending of plan.endings) {
      const enrollment = byId.get(ending.record.id) as StoredEnrollment;
      const release = releaseOnEnd(commitment.reservation, commitment.benefit, enrollment, period);
      await enrollments.end(enrollment, { ...ending, from: period, ...release, requireOpenPeriod: false });
    }
    if (plan.endings.some((e) => e.reason === 'unpaid')) {
      await this.alert(commitment, villageCode, period, 'coverage-lapsed', {
        workers: plan.endings.length,
        message: `${UNPAID_PERIODS_BEFORE_LAPSE} consecutive invoices unpaid: coverage lapsed from ${period}`,
      });
    }
    if (plan.covered.length === 0) {
      await invoices.markRolled(commitment.id, villageCode, period);
      return { invoices: 0, endings: plan.endings.length, carriedOver };
    }
    const lines: StoredInvoiceLine[] = plan.covered.map((record) => {
      const e = byId.get(record.id) as StoredEnrollment;
      return {
        enrollmentId: e.id,
        nik: e.nik,
        nikMasked: e.nikMasked,
        ...(e.name && { name: e.name }),
        premium,
      };
    });
    const invoice = await invoices.issue({
      sponsorId: commitment.sponsorId,
      commitmentId: commitment.id,
      villageCode,
      period,
      lines,
      total: plan.total,
      fromReserved: plan.fromReserved,
      fromAvailable: plan.fromAvailable,
    });
    await this.send(invoice);
    return { invoices: 1, endings: plan.endings.length, carriedOver };
  }

  /** Publishes an issued invoice and records the send; a resent invoice is recognised by billing by its id. */
  private async send(invoice: Invoice): Promise<void> {
    if (invoice.status !== 'issued') return;
    await this.deps.publishInvoice(invoice, await this.deps.invoices.storedLines(invoice));
    await this.deps.invoices.apply(invoice.id, 'send', { sentAt: now() });
  }

  /** A retry of a roll already done: make sure its invoice reached billing. */
  private async resend(commitmentId: string, villageCode: string, period: Period): Promise<void> {
    const invoice = await this.deps.invoices.getByKey(commitmentId, villageCode, period);
    if (invoice) await this.send(invoice);
  }

  /**
   * Moves the workers of `from` still covered at its year end into `to` (the same sponsor's commitment of the
   * next year) for the same village, while its quota allows; one transaction per worker. Returns how many.
   */
  private async carryOver(from: Commitment, to: Commitment, villageCode: string): Promise<number> {
    if (from.sponsorId !== to.sponsorId || to.fiscalYear !== from.fiscalYear + 1) return 0;
    if (!(await this.deps.commitments.allocation(from.id, villageCode))) return 0;
    const start = periodOf(to.fiscalYear, 1);
    const running = (await this.deps.enrollments.ofAllocation(from.id, villageCode)).filter(runningToYearEnd);
    let carried = 0;
    for (const old of running) {
      if (!isEligibleAge(old.birthDate as CoverageRecord['birthDate'], start)) continue;
      const outcome = await this.carryOne(old, to, villageCode, start);
      if (outcome === 'no-room') break;
      if (outcome === 'carried') carried++;
    }
    return carried;
  }

  private async carryOne(
    old: StoredEnrollment,
    to: Commitment,
    villageCode: string,
    start: Period,
  ): Promise<'carried' | 'skipped' | 'no-room'> {
    const { db, tableName } = this.deps;
    const { periods, amount } = reservationAtEnrollment(to.reservation, to.benefit, start);
    const months = periods.map((p) => periodParts(p).month);
    const id = ulid();
    const at = now();
    const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, endPeriod, endReason, carriedTo, ...person } =
      old as StoredEnrollment & Record<string, unknown>;
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: allocationKey(to.id, villageCode),
                UpdateExpression:
                  'SET available = available - :cost, reserved = reserved + :cost, workers = workers + :one',
                ConditionExpression:
                  '#status = :active AND available >= :cost AND (attribute_not_exists(closedThrough) OR closedThrough < :start)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':cost': amount,
                  ':active': 'active',
                  ':one': 1,
                  ':start': start,
                },
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: coverageClaimKey(old.nikKey, to.fiscalYear),
                UpdateExpression: 'ADD months :months',
                ConditionExpression: months.map((_, i) => `NOT contains(months, :m${i})`).join(' AND '),
                ExpressionAttributeValues: {
                  ':months': new Set(months),
                  ...Object.fromEntries(months.map((m, i) => [`:m${i}`, m])),
                },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...enrollmentKey(to.id, villageCode, id),
                  ...enrollmentIndexes(id, villageCode, start),
                  entity: 'enrollment',
                  ...person,
                  id,
                  commitmentId: to.id,
                  status: 'active',
                  startPeriod: start,
                  reservedThrough: periods.at(-1) ?? start,
                  reservedAmount: amount,
                  monthlyPremium: monthlyPremium(to.benefit, start),
                  reservation: to.reservation,
                  enrolledBy: 'period-roll',
                  enrolledAt: at,
                  carriedFrom: old.id,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: enrollmentKey(old.commitmentId, villageCode, old.id),
                UpdateExpression:
                  'SET #status = :expired, endPeriod = :start, endReason = :reason, carriedTo = :to, endedAt = :at',
                ConditionExpression:
                  '#status = :active AND attribute_not_exists(carriedTo) AND attribute_not_exists(endPeriod)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':expired': 'expired',
                  ':active': 'active',
                  ':start': start,
                  ':reason': 'carried-over',
                  ':to': id,
                  ':at': at,
                },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...ledgerEntryKey(to.id, villageCode, `CARRY#${old.id}`),
                  entity: 'ledger',
                  type: 'reserve',
                  commitmentId: to.id,
                  villageCode,
                  enrollmentId: id,
                  carriedFrom: old.id,
                  amount,
                  periods,
                  at,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'carried';
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'no-room';
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return 'skipped';
      throw error;
    }
  }

  /**
   * Ends a commitment's fiscal year for one village: rolls any month still due, carries running coverage
   * into the sponsor's next-year commitment where its quota allows, expires the rest, releases what is
   * left of the quota and closes the allocation.
   */
  private async closeYear(commitment: Commitment, villageCode: string): Promise<RenewalOutcome> {
    const { db, tableName, enrollments } = this.deps;
    const december = periodOf(commitment.fiscalYear, 12);
    const rolled = await this.renewThrough(commitment, villageCode, december);
    let carriedOver = 0;
    for (const next of await this.commitmentsOfYear(commitment.sponsorId, commitment.fiscalYear + 1)) {
      carriedOver += await this.carryOver(commitment, next, villageCode);
    }
    let endings = 0;
    const yearEnd = fiscalYearEnd(december);
    for (const e of (await enrollments.ofAllocation(commitment.id, villageCode)).filter(runningToYearEnd)) {
      const ended = await enrollments.end(e, {
        state: 'expired',
        reason: 'fiscal-year-end',
        from: yearEnd,
        periods: [],
        amount: 0 as Rupiah,
        requireOpenPeriod: false,
      });
      if (ended) endings++;
    }
    const allocation = await this.requireAllocation(commitment.id, villageCode);
    if (allocation.status === 'active') {
      const left = allocation.available;
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: allocationKey(commitment.id, villageCode),
                  UpdateExpression:
                    'SET #status = :closed, available = available - :left, released = released + :left, closedThrough = :december',
                  ConditionExpression: '#status = :active AND available = :left',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':closed': 'closed',
                    ':active': 'active',
                    ':left': left,
                    ':december': december,
                  },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...ledgerEntryKey(commitment.id, villageCode, 'CLOSE'),
                    entity: 'ledger',
                    type: 'release',
                    commitmentId: commitment.id,
                    villageCode,
                    amount: left,
                    fromReserved: 0,
                    fromAvailable: left,
                    reason: 'fiscal-year-end',
                    at: now(),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (error) {
        // Closed by an earlier attempt, or `available` moved (then the message is retried).
        if (!cancellationReasons(error)) throw error;
        const again = await this.requireAllocation(commitment.id, villageCode);
        if (again.status !== 'closed')
          throw new Error(`The allocation of ${villageCode} changed while closing; retrying`);
      }
    }
    return { ...rolled, endings: rolled.endings + endings, carriedOver: rolled.carriedOver + carriedOver };
  }

  private async requireAllocation(commitmentId: string, villageCode: string) {
    const allocation = await this.deps.commitments.allocation(commitmentId, villageCode);
    if (!allocation) {
      throw new NotFoundError(`Village ${villageCode} has no allocation in ${commitmentId}`, {
        details: { commitmentId, villageCode },
      });
    }
    return allocation as AllocationRecord & { rolledThrough?: Period; closedThrough?: Period };
  }

  /** The sponsor's commitments of a fiscal year that are (or were) active. */
  private async commitmentsOfYear(sponsorId: string, fiscalYear: number): Promise<Commitment[]> {
    const { Items = [] } = await this.deps.db.send(
      new QueryCommand({
        TableName: this.deps.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :year)',
        ExpressionAttributeValues: {
          ':pk': commitmentBySponsor(sponsorId, fiscalYear, '').gsi1pk,
          ':year': `${fiscalYear}#`,
        },
      }),
    );
    const ids = Items.filter((item) => item.status === 'active' || item.status === 'closed').map(
      (item) => item.id as string,
    );
    return Promise.all(ids.map((id) => this.deps.commitments.require(id)));
  }

  private async alert(
    commitment: Commitment,
    villageCode: string,
    period: Period,
    kind: string,
    facts: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.db.send(
        new PutCommand({
          TableName: this.deps.tableName,
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
}

/** Sends units of roll work (to the renewal-work queue). */
export type SendRenewalWork = (work: readonly RenewalWork[]) => Promise<void>;

export interface RollSummary {
  readonly period: Period;
  readonly commitments: number;
  readonly units: number;
  readonly closing: number;
}

/**
 * The period roll's fan-out: one unit per active allocation of every active commitment of the period's
 * fiscal year; in January also one `close` unit per allocation of the previous year's commitments, which
 * are then marked closed. Idempotent: running it again sends the same units, which change nothing twice.
 */
export async function rollPeriod(
  deps: { db: DynamoDBDocumentClient; tableName: string },
  period: Period,
  send: SendRenewalWork,
): Promise<RollSummary> {
  const { year, month } = periodParts(period);
  let commitments = 0;
  let units = 0;
  let closing = 0;
  const fanOut = async (fiscalYear: number, action: RenewalWork['action'], unitPeriod: Period) => {
    for await (const commitmentId of activeCommitments(deps, fiscalYear)) {
      commitments++;
      for await (const villages of allocationPages(deps, commitmentId)) {
        await send(
          villages.map((villageCode) => ({ period: unitPeriod, commitmentId, villageCode, action })),
        );
        if (action === 'close') closing += villages.length;
        else units += villages.length;
      }
      if (action === 'close') await markClosed(deps, commitmentId);
    }
  };
  if (month === 1) await fanOut(year - 1, 'close', periodOf(year - 1, 12));
  await fanOut(year, 'renew', period);
  return { period, commitments, units, closing };
}

async function* activeCommitments(
  deps: { db: DynamoDBDocumentClient; tableName: string },
  fiscalYear: number,
) {
  const pages = queryPages(deps.db, {
    TableName: deps.tableName,
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': activeCommitmentIndex(fiscalYear, '').gsi2pk },
  });
  for await (const items of pages) for (const item of items) yield item.id as string;
}

async function* allocationPages(
  deps: { db: DynamoDBDocumentClient; tableName: string },
  commitmentId: string,
) {
  const pages = queryPages(deps.db, {
    TableName: deps.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: '#status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pk': commitmentKey(commitmentId).pk,
      ':prefix': ALLOCATION_SK_PREFIX,
      ':active': 'active',
    },
    ProjectionExpression: 'villageCode',
  });
  for await (const items of pages) {
    const villages = items.map((item) => item.villageCode as string);
    if (villages.length > 0) yield villages;
  }
}

/** Marks a commitment closed and drops it from the active index (after its close units are queued). */
async function markClosed(deps: { db: DynamoDBDocumentClient; tableName: string }, commitmentId: string) {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: commitmentKey(commitmentId),
        UpdateExpression: 'SET #status = :closed, closedAt = :at REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed', ':active': 'active', ':at': now() },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
