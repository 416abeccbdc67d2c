/**
 * The period roll's unit of work (flows 3 and 5 of DOMAIN.md), a use case over the store's repositories:
 * `PeriodRenewal` brings one village of one commitment through a period. It closes the village's period for
 * changes, plans the renewal (`planRenewal` of the core), ends the coverages that must end, drafts the
 * invoice (its money moves here) and asks for its number (the invoice-numbering queue, whose consumer
 * issues it and hands it to billing); at a year's end it carries running coverage into the sponsor's next
 * commitment and closes the allocation. Every write is a conditional write keyed by the period (in the
 * repositories), so a retried, redelivered or duplicated unit ends in the same state as one clean run (I4, I6).
 *
 * Cost: a steady month writes per village, not per worker: closing the period (1) and the draft transaction
 * (invoice, its lines, allocation, ledger); the numbering worker then adds the issue (a share of one
 * transaction per batch of up to 10 invoices) and marking it sent (1). No item is written by two villages'
 * renewals. Only workers whose coverage changes (ends, carries into a new year) cost writes of their own.
 */
import {
  addMonths,
  type CoverageRecord,
  comparePeriods,
  coverageEnd,
  fiscalYearEnd,
  isEligibleAge,
  leavesPremium,
  NotFoundError,
  type Period,
  periodOf,
  periodParts,
  periodRange,
  planRenewal,
  type Rupiah,
  reservationSplit,
  splitAt,
  sum,
  UNPAID_PERIODS_BEFORE_LAPSE,
  ValidationError,
} from '@lindung/core';
import {
  type Commitment,
  type CommitmentRepository,
  coFunderAmong,
  coFunderOf,
  coverageEndOf,
  type EnrollmentRepository,
  type Invoice,
  type InvoiceRepository,
  payerSharesOf,
  type RenewalWork,
  type RollingAllocation,
  type RollRepository,
  type StoredEnrollment,
  type StoredInvoiceLine,
  sharedPayers,
} from '@lindung/store';
import { type ResendSummary, unansweredInvoices } from './fan-out.js';
import { InvoiceNumbering } from './numbering.js';

/** What a unit of roll work did (for logs, metrics and the tests' write counts). */
export interface RenewalOutcome {
  readonly periodsRolled: number;
  readonly invoices: number;
  readonly endings: number;
  readonly carriedOver: number;
}

export interface RenewalDependencies {
  readonly commitments: CommitmentRepository;
  readonly enrollments: EnrollmentRepository;
  readonly invoices: InvoiceRepository;
  readonly roll: RollRepository;
  /** Hands an issued invoice with its lines to billing (the billing-outbox queue). */
  readonly publishInvoice: (invoice: Invoice, lines: readonly StoredInvoiceLine[]) => Promise<void>;
  /** Asks for drafted invoices to be numbered (the invoice-numbering queue, grouped by sponsor and year). */
  readonly requestNumbering: (invoices: readonly Invoice[]) => Promise<void>;
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
  private readonly numbering: InvoiceNumbering;

  constructor(private readonly deps: RenewalDependencies) {
    this.numbering = new InvoiceNumbering(deps);
  }

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
      const one = commitment.coFunds
        ? await this.coFundOne(commitment, commitment.coFunds, villageCode, p)
        : await this.renewOne(commitment, villageCode, p);
      outcome.periodsRolled++;
      outcome.invoices += one.invoices;
      outcome.endings += one.endings;
      outcome.carriedOver += one.carriedOver;
    }
    if (comparePeriods(first, period) > 0) await this.ensureSent(commitment.id, villageCode, period);
    return outcome;
  }

  private async renewOne(commitment: Commitment, villageCode: string, period: Period) {
    const { roll, enrollments, invoices } = this.deps;
    let carriedOver = 0;
    if (periodParts(period).month === 1) {
      for (const previous of await this.commitmentsOfYear(commitment.sponsorId, commitment.fiscalYear - 1)) {
        carriedOver += await this.carryOver(previous, commitment, villageCode);
      }
    }
    // From here on, no enrollment may start in `period` and no coverage may end before it, so what is read
    // next is what the period's invoice must hold.
    const allocation = await roll.closeForChanges(commitment.id, villageCode, period);
    if (allocation.rolledThrough && comparePeriods(allocation.rolledThrough, period) >= 0) {
      return { invoices: 0, endings: 0, carriedOver };
    }
    const stored = await enrollments.ofAllocation(commitment.id, villageCode, allocation);
    const byId = new Map(stored.map((e) => [e.id, e]));
    // What this commitment pays of each worker-month: its share (the whole premium when it states none).
    const premium = splitAt(commitment.benefit, period, { primary: commitment.share }).primary;
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
      await enrollments.end(enrollment, {
        ...ending,
        ...coverageEndOf(commitment, enrollment, period),
        requireOpenPeriod: false,
      });
    }
    // The lapses of this unit, and those an earlier delivery wrote before it failed (ahead of its alert): the
    // alert is written once either way.
    const lapsed =
      plan.endings.filter((e) => e.reason === 'unpaid').length +
      stored.filter((e) => e.endReason === 'unpaid' && e.endPeriod === period).length;
    if (lapsed > 0) {
      await roll.alert(commitment, villageCode, period, 'coverage-lapsed', {
        workers: lapsed,
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
    const invoice = await invoices.draft({
      sponsorId: commitment.sponsorId,
      commitmentId: commitment.id,
      villageCode,
      period,
      lines,
      total: plan.total,
      fromReserved: plan.fromReserved,
      fromAvailable: plan.fromAvailable,
    });
    await this.handOn(invoice);
    return { invoices: 1, endings: plan.endings.length, carriedOver };
  }

  /**
   * A co-funder's roll of one period in one village: the roll of the commitment it co-funds decides who is
   * covered (so it is done first, here if its own unit has not come yet: a duplicated unit changes nothing), and
   * the co-funder invoices its share of each worker-month on that invoice whose enrollment it co-funds, from
   * what it reserved at enrollment. The workers' endings, lapses and carry-overs are the primary's.
   */
  private async coFundOne(coFunder: Commitment, primaryId: string, villageCode: string, period: Period) {
    const { roll, enrollments, invoices, commitments } = this.deps;
    const nothing = { invoices: 0, endings: 0, carriedOver: 0 };
    const primary = await commitments.require(primaryId);
    const primaryAllocation = await this.requireAllocation(primary.id, villageCode);
    if (!primaryAllocation.rolledThrough || comparePeriods(primaryAllocation.rolledThrough, period) < 0) {
      await this.renewThrough(primary, villageCode, period);
    }
    const allocation = await roll.closeForChanges(coFunder.id, villageCode, period);
    if (allocation.rolledThrough && comparePeriods(allocation.rolledThrough, period) >= 0) return nothing;
    const primaryInvoice = await invoices.getByKey(primary.id, villageCode, period);
    const covered = primaryInvoice ? await invoices.storedLines(primaryInvoice) : [];
    const byId = new Map(
      (await enrollments.ofAllocation(primary.id, villageCode)).map((e) => [e.id, e] as const),
    );
    const lines = covered.flatMap((line): StoredInvoiceLine[] => {
      const enrollment = byId.get(line.enrollmentId);
      if (!enrollment || coFunderOf(enrollment)?.commitmentId !== coFunder.id) return [];
      const share = splitAt(primary.benefit, period, payerSharesOf(enrollment, primary)).coFunder;
      return share > 0 ? [{ ...line, premium: share }] : [];
    });
    if (lines.length === 0) {
      await invoices.markRolled(coFunder.id, villageCode, period);
      return nothing;
    }
    const total = sum(lines.map((line) => line.premium));
    const invoice = await invoices.draft({
      sponsorId: coFunder.sponsorId,
      commitmentId: coFunder.id,
      villageCode,
      period,
      lines,
      total,
      // Co-funding is fiscal-year reservation only: every month was reserved at enrollment.
      fromReserved: total,
      fromAvailable: 0 as Rupiah,
    });
    await this.handOn(invoice);
    return { ...nothing, invoices: 1 };
  }

  /** Moves an invoice on to its next hand-over: a draft to numbering, an issued one to billing. */
  private async handOn(invoice: Invoice): Promise<void> {
    if (invoice.status === 'draft') await this.deps.requestNumbering([invoice]);
    else await this.numbering.send(invoice);
  }

  /** A retry of a roll already done: make sure its invoice was handed on. */
  private async ensureSent(commitmentId: string, villageCode: string, period: Period): Promise<void> {
    const invoice = await this.deps.invoices.getByKey(commitmentId, villageCode, period);
    if (invoice) await this.handOn(invoice);
  }

  /**
   * Hands an invoice that billing has not answered on again: a `draft` (its numbering request lost) is asked
   * to be numbered again, an `issued` one is sent as numbering sends it, a `sent` one has the resend
   * recorded (`lastSentAt`/`sendCount`, on condition billing has still not answered) and is then published
   * again (the message id names the invoice, and billing de-duplicates by invoice id). Recorded first, so an
   * answer arriving while the message is on its way cannot refuse the count of a resend that happened; an
   * invoice answered before the record is neither counted nor sent. A publish that fails after the record is
   * sent again by the next sweep past `lastSentAt`. Returns whether it was handed on.
   */
  async sendAgain(invoice: Invoice): Promise<boolean> {
    if (invoice.status === 'draft' || invoice.status === 'issued') {
      await this.handOn(invoice);
      return true;
    }
    if (invoice.status !== 'sent') return false;
    if (!(await this.deps.invoices.recordResend(invoice.id, now()))) return false;
    await this.deps.publishInvoice(invoice, await this.deps.invoices.storedLines(invoice));
    return true;
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
    const allocation = await this.deps.commitments.allocation(from.id, villageCode);
    if (!allocation || allocation.status === 'closed') return 0; // its coverage ended with the closed year
    const start = periodOf(to.fiscalYear, 1);
    const running = (await this.deps.enrollments.ofAllocation(from.id, villageCode, allocation)).filter(
      runningToYearEnd,
    );
    if (running.length === 0) return 0;
    // The next year's shares: its own, and its co-funder's in the village when it leaves part of the premium.
    const coFunder = leavesPremium(to.share, to.benefit)
      ? coFunderAmong(to.id, await this.deps.commitments.fundingOf(villageCode, to.fiscalYear))
      : undefined;
    const shares = { primary: to.share, ...(coFunder && { coFunder: coFunder.share ?? null }) };
    const { periods, split } = reservationSplit(to.reservation, to.benefit, start, shares);
    const payers = sharedPayers(to, coFunder, splitAt(to.benefit, start, shares), split);
    let carried = 0;
    for (const old of running) {
      if (!isEligibleAge(old.birthDate as CoverageRecord['birthDate'], start)) continue;
      const outcome = await this.deps.roll.carry(old, to, villageCode, start, {
        periods,
        amount: split.primary,
        payers,
      });
      if (outcome === 'no-room') break;
      if (outcome === 'carried') carried++;
    }
    return carried;
  }

  /**
   * Ends a commitment's fiscal year for one village: rolls any month still due, carries running coverage
   * into the sponsor's next-year commitment where its quota allows, releases what is left of the quota and
   * closes the allocation. The coverage left running ends with the year by that close alone: no worker's item
   * is written (the store shows it expired, `EnrollmentRepository`), so the close costs the same few writes
   * for a village of 10 workers or of 1,000.
   */
  private async closeYear(commitment: Commitment, villageCode: string): Promise<RenewalOutcome> {
    const december = periodOf(commitment.fiscalYear, 12);
    const rolled = await this.renewThrough(commitment, villageCode, december);
    let carriedOver = 0;
    // A co-funder's quota holds no enrollment of its own: the primary carries its workers.
    const next = commitment.coFunds
      ? []
      : await this.commitmentsOfYear(commitment.sponsorId, commitment.fiscalYear + 1);
    for (const to of next) carriedOver += await this.carryOver(commitment, to, villageCode);
    const allocation = await this.requireAllocation(commitment.id, villageCode);
    if (
      allocation.status === 'active' &&
      !(await this.deps.roll.closeAllocation(commitment.id, villageCode, allocation.available, december)) &&
      (await this.requireAllocation(commitment.id, villageCode)).status !== 'closed'
    ) {
      // Not closed by an earlier attempt: `available` moved meanwhile, and the message is retried.
      throw new Error(`The allocation of ${villageCode} changed while closing; retrying`);
    }
    return { ...rolled, carriedOver: rolled.carriedOver + carriedOver };
  }

  private async requireAllocation(commitmentId: string, villageCode: string) {
    const allocation = await this.deps.commitments.allocation(commitmentId, villageCode);
    if (!allocation) {
      throw new NotFoundError(`Village ${villageCode} has no allocation in ${commitmentId}`, {
        details: { commitmentId, villageCode },
      });
    }
    return allocation as RollingAllocation;
  }

  /** The sponsor's commitments of a fiscal year that are (or were) active. */
  private async commitmentsOfYear(sponsorId: string, fiscalYear: number): Promise<Commitment[]> {
    const ids = await this.deps.roll.commitmentsOfYear(sponsorId, fiscalYear);
    return Promise.all(ids.map((id) => this.deps.commitments.require(id)));
  }
}
