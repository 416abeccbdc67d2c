/**
 * The period roll's unit of work for a collection partner (issue 18): every contribution account of the partner
 * running in a month pays the worker's share of it from their balance, or the month is recorded unpaid (not
 * covered; a self-paying worker lapses after three, as a sponsored village does); then the partner's remittance
 * of the month is issued from the paid months and handed to BPJS billing. Months are rolled in order from the
 * first one not rolled yet, so a missed month is caught up, never skipped. Every write is keyed by the month
 * (the store's conditions), so a unit delivered twice, retried after a lost response or throttled ends in the
 * state of one clean run (I6).
 */
import {
  addMonths,
  comparePeriods,
  lapsesAfterUnpaid,
  lapsesWhenUnpaid,
  type Period,
  periodRange,
  workerShareDue,
} from '@lindung/core';
import type {
  ContributionAccount,
  ContributionMonth,
  ContributionRepository,
  ContributionWork,
  Remittance,
} from '@lindung/store';

export interface ContributionRollDependencies {
  readonly contributions: ContributionRepository;
  /** Hands a remittance with its lines to BPJS billing (the billing-outbox queue). */
  readonly publishRemittance: (remittance: Remittance, lines: readonly ContributionMonth[]) => Promise<void>;
}

/** What a unit did (for logs and tests). */
export interface ContributionRollOutcome {
  readonly periodsRolled: number;
  readonly paid: number;
  readonly unpaid: number;
  readonly lapsed: number;
  readonly remittances: number;
}

/** Whether an account's month is still to decide: started, not lapsed, the month not decided yet. */
const dueIn = (account: ContributionAccount, period: Period) =>
  account.status === 'active' &&
  comparePeriods(account.startPeriod, period) <= 0 &&
  (account.lastMonth === undefined || comparePeriods(account.lastMonth, period) < 0);

export class ContributionRoll {
  constructor(private readonly deps: ContributionRollDependencies) {}

  /** Rolls a partner's accounts through every month not rolled yet up to `work.period`. */
  async run(work: ContributionWork): Promise<ContributionRollOutcome> {
    const { contributions } = this.deps;
    const outcome = { periodsRolled: 0, paid: 0, unpaid: 0, lapsed: 0, remittances: 0 };
    const rolled = await contributions.rolledThrough(work.partnerId);
    const accounts = await contributions.accountsOf(work.partnerId);
    const starts = accounts.map((a) => a.startPeriod).sort(comparePeriods);
    const earliest = starts[0];
    if (earliest === undefined) return outcome;
    const next = rolled ? addMonths(rolled, 1) : earliest;
    const first = comparePeriods(next, earliest) < 0 ? earliest : next;
    if (comparePeriods(first, work.period) > 0) {
      // Rolled before: a retry makes sure the remittance reached billing.
      if (rolled && comparePeriods(rolled, work.period) >= 0) await this.remit(work.partnerId, work.period);
      return outcome;
    }
    for (const period of periodRange(first, work.period)) {
      await contributions.closeForChanges(work.partnerId, period);
      // Read afresh each month, after the close: every account of the month, each with the unpaid run the
      // previous month left.
      for (const account of await contributions.accountsOf(work.partnerId)) {
        if (!dueIn(account, period)) continue;
        if (lapsesWhenUnpaid(account) && lapsesAfterUnpaid(account.unpaidRun)) {
          if (await contributions.lapse(account, period)) outcome.lapsed++;
          continue;
        }
        const result = await contributions.applyMonth(account, period, workerShareDue(account, period));
        if (result === 'paid') outcome.paid++;
        if (result === 'unpaid') outcome.unpaid++;
      }
      if (await this.remit(work.partnerId, period)) outcome.remittances++;
      await contributions.markRolled(work.partnerId, period);
      outcome.periodsRolled++;
    }
    return outcome;
  }

  /** Issues the month's remittance (once) and hands it to billing until billing has answered it. */
  private async remit(partnerId: string, period: Period): Promise<boolean> {
    const issued = await this.deps.contributions.issueRemittance(partnerId, period);
    if (!issued) return false;
    if (issued.remittance.status === 'issued')
      await this.deps.publishRemittance(issued.remittance, issued.lines);
    return true;
  }
}
