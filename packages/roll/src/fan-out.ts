/**
 * The period roll's fan-out and its self-healing reads, use cases over the store's `RollRepository`:
 * `rollPeriod` sends one unit of work per village still to roll; `unrolledVillages` and `unansweredInvoices`
 * say what the roll and billing have not done yet.
 */
import {
  addMonths,
  type Period,
  periodAt,
  periodOf,
  periodParts,
  UNPAID_PERIODS_BEFORE_LAPSE,
} from '@lindung/core';
import type { Invoice, InvoiceRepository, RenewalWork, RollRepository, RollWork } from '@lindung/store';

/** Sends units of roll work (to the renewal-work queue). */
export type SendRenewalWork = (work: readonly RollWork[]) => Promise<void>;

export interface RollSummary {
  readonly period: Period;
  readonly commitments: number;
  readonly units: number;
  readonly closing: number;
  /** Collection partners whose contribution accounts are sent to roll through the period. */
  readonly partners: number;
}

/** What a sweep of unanswered invoices found and handed to billing again (invoice ids). */
export interface ResendSummary {
  readonly unanswered: number;
  readonly resent: readonly string[];
}

/**
 * The period roll's fan-out: one unit per active allocation of every active commitment of the period's
 * fiscal year that has not rolled through the period yet; and one `close` unit per allocation still open
 * of the previous year's commitments, which are marked closed (and leave the roll's index once no village
 * of theirs is left open); and one `contributions` unit per collection partner with contribution accounts not
 * rolled through the period yet (its accounts pay their month from their balances). Meant to be repeated (the schedule runs it hourly): a unit that was lost is sent
 * again by the next run, and once every village has rolled a run reads O(commitments) pages and writes
 * nothing. Idempotent: a unit sent twice changes nothing twice.
 */
export async function rollPeriod(
  roll: RollRepository,
  period: Period,
  send: SendRenewalWork,
): Promise<RollSummary> {
  const { year } = periodParts(period);
  let commitments = 0;
  let units = 0;
  let closing = 0;
  for await (const commitmentId of roll.activeCommitments(year - 1)) {
    let open = 0;
    for await (const villages of roll.allocationPages(commitmentId)) {
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
    await roll.markClosed(commitmentId, year - 1, open === 0);
  }
  for await (const commitmentId of roll.activeCommitments(year)) {
    commitments++;
    for await (const villages of roll.allocationPages(commitmentId, period)) {
      await send(
        villages.map((villageCode) => ({ period, commitmentId, villageCode, action: 'renew' as const })),
      );
      units += villages.length;
    }
  }
  let partners = 0;
  for await (const page of roll.partnersToRoll(period)) {
    await send(page.map((partnerId) => ({ period, partnerId, action: 'contributions' as const })));
    partners += page.length;
  }
  return { period, commitments, units, closing, partners };
}

/**
 * What the roll has not done yet for `period`: per commitment of the period's fiscal year, the villages
 * still open that have not rolled through it (and, of the previous year's commitments, the villages not
 * closed yet). Reads what `rollPeriod` reads; writes nothing.
 */
export async function unrolledVillages(
  roll: RollRepository,
  period: Period,
): Promise<{ commitmentId: string; action: RenewalWork['action']; villageCodes: string[] }[]> {
  const { year } = periodParts(period);
  const found: { commitmentId: string; action: RenewalWork['action']; villageCodes: string[] }[] = [];
  const collect = async (fiscalYear: number, action: RenewalWork['action'], through?: Period) => {
    for await (const commitmentId of roll.activeCommitments(fiscalYear)) {
      const villageCodes: string[] = [];
      for await (const villages of roll.allocationPages(commitmentId, through))
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
  deps: { readonly roll: RollRepository; readonly invoices: InvoiceRepository },
  at: Date,
  olderThanMinutes: number,
): Promise<Invoice[]> {
  const period = periodAt(at);
  const { year } = periodParts(period);
  const sponsors = await deps.roll.recentSponsors(year);
  const sentBefore = new Date(at.getTime() - olderThanMinutes * 60_000).toISOString();
  const from = addMonths(period, -UNPAID_PERIODS_BEFORE_LAPSE);
  const found: Invoice[] = [];
  for (const sponsorId of sponsors) {
    found.push(...(await deps.invoices.unanswered(sponsorId, from, period, sentBefore)));
  }
  return found;
}
