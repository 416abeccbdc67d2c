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
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  addMonths,
  type CoverageRecord,
  comparePeriods,
  coverageEnd,
  enrollmentMachine,
  fiscalYearEnd,
  isEligibleAge,
  monthlyPremium,
  NotFoundError,
  type Period,
  periodAt,
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
import { queryPages } from './client.js';
import type { AllocationRecord, Commitment, CommitmentRepository } from './commitments.js';
import {
  claimMonths,
  type Enrollment,
  type EnrollmentRepository,
  enrollmentPut,
  type StoredEnrollment,
} from './enrollments.js';
import type { Invoice, InvoiceRepository, StoredInvoiceLine } from './invoices.js';
import {
  ALLOCATION_SK_PREFIX,
  activeCommitmentIndex,
  alertKey,
  allocationKey,
  closedCommitmentIndex,
  commitmentBySponsor,
  commitmentKey,
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

/** A worker's coverage carried into the sponsor's next-year commitment `to` from `start`. */
const carriedEnrollment = (
  old: StoredEnrollment,
  to: Commitment,
  start: Period,
  periods: readonly Period[],
  amount: Rupiah,
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
  carriedFrom: old.id,
});

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
    if (comparePeriods(first, period) > 0) await this.ensureSent(commitment.id, villageCode, period);
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
    const at = now();
    await this.deps.invoices.apply(invoice.id, 'send', { sentAt: at, lastSentAt: at, sendCount: 1 });
  }

  /** A retry of a roll already done: make sure its invoice reached billing. */
  private async ensureSent(commitmentId: string, villageCode: string, period: Period): Promise<void> {
    const invoice = await this.deps.invoices.getByKey(commitmentId, villageCode, period);
    if (invoice) await this.send(invoice);
  }

  /**
   * Hands an invoice that billing has not answered to billing again: an `issued` one is sent as the roll
   * sends it, a `sent` one is published again (the message id names the invoice, and billing de-duplicates
   * by invoice id) and its `lastSentAt`/`sendCount` recorded. Returns whether it was handed over.
   */
  async sendAgain(invoice: Invoice): Promise<boolean> {
    if (invoice.status === 'issued') {
      await this.send(invoice);
      return true;
    }
    if (invoice.status !== 'sent') return false;
    await this.deps.publishInvoice(invoice, await this.deps.invoices.storedLines(invoice));
    return this.deps.invoices.recordResend(invoice.id, now());
  }

  /**
   * The self-healing sweep of billing: every invoice of the last periods that billing has not answered
   * within `resendAfterMinutes` of its last hand-over is handed over again. A lost, dead-lettered or expired
   * `invoice.issued` message so costs a delay, never a lapse.
   */
  async resendUnanswered(at: Date, resendAfterMinutes: number): Promise<ResendSummary> {
    const unanswered = await unansweredInvoices(this.deps, at, resendAfterMinutes);
    const resent: string[] = [];
    for (const invoice of unanswered) {
      if (await this.sendAgain(invoice)) resent.push(invoice.id);
    }
    return { unanswered: unanswered.length, resent };
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
    const { tableName } = this.deps;
    const { periods, amount } = reservationAtEnrollment(to.reservation, to.benefit, start);
    const carried = carriedEnrollment(old, to, start, periods, amount);
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
    try {
      await new Transaction()
        .add(
          'allocation',
          allocationUpdate(tableName, carried, movesOf(ledger.entry), {
            expression:
              '#status = :active AND available >= :cost AND (attribute_not_exists(closedThrough) OR closedThrough < :start)',
            names: { '#status': 'status' },
            values: { ':cost': amount, ':active': 'active', ':one': 1, ':start': start },
            also: ['workers = workers + :one'],
          }),
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
        .run(this.deps.db);
      return 'carried';
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed('allocation')) return 'no-room';
      if (error.failedActions.length > 0) return 'skipped';
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
      const ledger = ledgerEntries(tableName).closeYear({
        commitmentId: commitment.id,
        villageCode,
        amount: allocation.available,
        at: now(),
      });
      try {
        await new Transaction()
          .add(
            'allocation',
            allocationUpdate(tableName, ledger.entry, movesOf(ledger.entry), {
              expression: '#status = :active AND available = :left',
              names: { '#status': 'status' },
              values: {
                ':closed': 'closed',
                ':active': 'active',
                ':left': allocation.available,
                ':december': december,
              },
              also: ['#status = :closed', 'closedThrough = :december'],
            }),
          )
          .add('ledger', ledger.action)
          .run(db);
      } catch (error) {
        // Closed by an earlier attempt, or `available` moved (then the message is retried).
        if (!(error instanceof TransactionRefused)) throw error;
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

/** What a sweep of unanswered invoices found and handed to billing again (invoice ids). */
export interface ResendSummary {
  readonly unanswered: number;
  readonly resent: readonly string[];
}

type TableAccess = { readonly db: DynamoDBDocumentClient; readonly tableName: string };

/**
 * The period roll's fan-out: one unit per active allocation of every active commitment of the period's
 * fiscal year that has not rolled through the period yet; and one `close` unit per allocation still open
 * of the previous year's commitments, which are marked closed (and leave the roll's index once no village
 * of theirs is left open). Meant to be repeated (the schedule runs it hourly): a unit that was lost is sent
 * again by the next run, and once every village has rolled a run reads O(commitments) pages and writes
 * nothing. Idempotent: a unit sent twice changes nothing twice.
 */
export async function rollPeriod(
  deps: TableAccess,
  period: Period,
  send: SendRenewalWork,
): Promise<RollSummary> {
  const { year } = periodParts(period);
  let commitments = 0;
  let units = 0;
  let closing = 0;
  for await (const commitmentId of commitmentIds(deps, activeCommitmentIndex(year - 1, '').gsi2pk)) {
    let open = 0;
    for await (const villages of allocationPages(deps, commitmentId)) {
      await send(
        villages.map((villageCode) => ({
          period: periodOf(year - 1, 12),
          commitmentId,
          villageCode,
          action: 'close' as const,
        })),
      );
      open += villages.length;
    }
    commitments++;
    closing += open;
    await markClosed(deps, commitmentId, year - 1, open === 0);
  }
  for await (const commitmentId of commitmentIds(deps, activeCommitmentIndex(year, '').gsi2pk)) {
    commitments++;
    for await (const villages of allocationPages(deps, commitmentId, period)) {
      await send(
        villages.map((villageCode) => ({ period, commitmentId, villageCode, action: 'renew' as const })),
      );
      units += villages.length;
    }
  }
  return { period, commitments, units, closing };
}

/**
 * What the roll has not done yet for `period`: per commitment of the period's fiscal year, the villages
 * still open that have not rolled through it (and, of the previous year's commitments, the villages not
 * closed yet). Reads what `rollPeriod` reads; writes nothing.
 */
export async function unrolledVillages(
  deps: TableAccess,
  period: Period,
): Promise<{ commitmentId: string; action: RenewalWork['action']; villageCodes: string[] }[]> {
  const { year } = periodParts(period);
  const found: { commitmentId: string; action: RenewalWork['action']; villageCodes: string[] }[] = [];
  const collect = async (fiscalYear: number, action: RenewalWork['action'], through?: Period) => {
    for await (const commitmentId of commitmentIds(deps, activeCommitmentIndex(fiscalYear, '').gsi2pk)) {
      const villageCodes: string[] = [];
      for await (const villages of allocationPages(deps, commitmentId, through))
        villageCodes.push(...villages);
      if (villageCodes.length > 0) found.push({ commitmentId, action, villageCodes });
    }
  };
  await collect(year - 1, 'close');
  await collect(year, 'renew', period);
  return found;
}

/**
 * Invoices of the periods that can still lapse a village (`UNPAID_PERIODS_BEFORE_LAPSE` back from the
 * period of `at`) that billing has not answered and that were last handed over more than `olderThanMinutes`
 * before `at`. Sponsors come from the roll's commitment index (this and last year's, closed ones included),
 * their invoices from the sponsor's invoice index; no Scan.
 */
export async function unansweredInvoices(
  deps: TableAccess & { readonly invoices: InvoiceRepository },
  at: Date,
  olderThanMinutes: number,
): Promise<Invoice[]> {
  const period = periodAt(at);
  const { year } = periodParts(period);
  const sponsors = new Set<string>();
  for (const pk of [
    activeCommitmentIndex(year, '').gsi2pk,
    activeCommitmentIndex(year - 1, '').gsi2pk,
    closedCommitmentIndex(year - 1, '').gsi2pk,
  ]) {
    for await (const items of queryPages(deps.db, {
      TableName: deps.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'sponsorId',
    })) {
      for (const item of items) sponsors.add(item.sponsorId as string);
    }
  }
  const sentBefore = new Date(at.getTime() - olderThanMinutes * 60_000).toISOString();
  const from = addMonths(period, -UNPAID_PERIODS_BEFORE_LAPSE);
  const found: Invoice[] = [];
  for (const sponsorId of sponsors) {
    found.push(...(await deps.invoices.unanswered(sponsorId, from, period, sentBefore)));
  }
  return found;
}

async function* commitmentIds(deps: TableAccess, gsi2pk: string) {
  const pages = queryPages(deps.db, {
    TableName: deps.tableName,
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': gsi2pk },
    ProjectionExpression: 'id',
  });
  for await (const items of pages) for (const item of items) yield item.id as string;
}

/** Pages of a commitment's open villages; with `notRolledThrough`, only those not rolled through that period. */
async function* allocationPages(deps: TableAccess, commitmentId: string, notRolledThrough?: Period) {
  const pages = queryPages(deps.db, {
    TableName: deps.tableName,
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
async function markClosed(deps: TableAccess, commitmentId: string, fiscalYear: number, finished: boolean) {
  const closed = closedCommitmentIndex(fiscalYear, commitmentId);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
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
              ConditionExpression: '#status = :active',
              ExpressionAttributeValues: { ':closed': 'closed', ':active': 'active', ':at': now() },
            }),
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
