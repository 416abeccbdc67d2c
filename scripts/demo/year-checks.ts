/**
 * The demo year's checks: every village against its plan, its invoices and its ledger, to the rupiah; and the
 * year's totals as the ledger, the reports API and the dashboard tell them ("dashboard = API = ledger").
 */
import { mapConcurrently } from '@lindung/core';
import type { LedgerRepository } from '@lindung/store';
import { ensureDashboardBuilt, readDashboard } from './dashboard.js';
import {
  type Comparison,
  compareSources,
  type Figures,
  invoiceFigures,
  readReports,
  readVillagesSummed,
  waitForReports,
} from './three-way.js';
import type { VillagePlan } from './workforce.js';
import { JAMBI } from './workforce.js';
import {
  type AllocationRow,
  allAllocations,
  allInvoices,
  type InvoiceRow,
  queueDepths,
  SPONSOR_NAME,
  secondsText,
  type YearCommitment,
  type YearRun,
} from './year-run.js';

/** Villages whose ledgers are read at once. */
const LEDGER_READS = 8;

/** The year's totals at one moment as the ledger, the reports API and the dashboard tell them. */
export interface DashboardCheck {
  /** When, e.g. `2031-12, before the year closes`. */
  readonly moment: string;
  readonly comparison: Comparison;
  /** How long the demo waited for the reports to equal the ledger, and whether they did. */
  readonly waitSeconds: number;
  /** The time from the last write (the roll) until the reports were read equal, or given up on. */
  readonly secondsAfterLastWrite: number;
  readonly caughtUp: boolean;
  /** The overview's heading as shown. */
  readonly title: string;
  readonly screenshots: readonly string[];
  readonly notes: readonly string[];
}

/** What the run's figures add up to. */
export interface YearSummary {
  readonly villages: number;
  readonly committed: number;
  readonly allocated: number;
  readonly spent: number;
  readonly released: number;
  readonly reserved: number;
  /** Quota neither spent, reserved nor released (0 once the year is closed). */
  readonly left: number;
  readonly workersCovered: number;
  readonly workerMonths: number;
  readonly invoices: number;
  readonly invoicesPaid: number;
  readonly invoiceTotal: number;
  readonly refusedQuotaFull: number;
  /** The plan's expectations, computed without the API. */
  readonly planned: { readonly workers: number; readonly workerMonths: number; readonly spent: number };
  readonly deadLetters: number;
  readonly commitmentId: string;
}

/** A village's ledger: the counters its entries add up to, and the coverages still running. */
interface VillageLedger {
  readonly reconciliation: Awaited<ReturnType<LedgerRepository['reconcile']>>;
  readonly covered: number;
}

const villageLedger = async (run: YearRun, a: AllocationRow): Promise<VillageLedger> => {
  const reconciliation = await run.ledger.reconcile({
    ...a,
    status: a.status as 'active' | 'closed',
  } as Parameters<LedgerRepository['reconcile']>[0]);
  const running = await run.enrollments.ofAllocation(a.commitmentId, a.villageCode);
  return { reconciliation, covered: running.filter((e) => e.status === 'active').length };
};

/** The ledger's side of "dashboard = API = ledger": the villages' ledgers summed, the invoices by state. */
const ledgerFigures = (
  committed: number,
  villages: readonly VillageLedger[],
  invoices: readonly InvoiceRow[],
): Figures => {
  const sum = (pick: (v: VillageLedger) => number) => villages.reduce((total, v) => total + pick(v), 0);
  const byState: Record<string, { count: number; amount: number }> = {};
  for (const i of invoices) {
    const figures = byState[i.status] ?? { count: 0, amount: 0 };
    figures.count += 1;
    figures.amount += i.total;
    byState[i.status] = figures;
  }
  return {
    committed,
    allocated: sum((v) => v.reconciliation.fromLedger.budget),
    reserved: sum((v) => v.reconciliation.fromLedger.reserved),
    spent: sum((v) => v.reconciliation.fromLedger.spent),
    released: sum((v) => v.reconciliation.fromLedger.released),
    remaining: sum((v) => v.reconciliation.fromLedger.available),
    covered: sum((v) => v.covered),
    ...invoiceFigures(byState),
  };
};

const commitmentOf = ({ officer, commitmentId }: YearCommitment) =>
  officer.get<{ budget: number; totals: Record<string, number> }>(`/v1/commitments/${commitmentId}`);

/** The year's totals as the ledger tells them now (December rolled: the leftover quota not yet released). */
export const readLedgerFigures = (run: YearRun, commitment: YearCommitment): Promise<Figures> =>
  run.recorder
    .phase('read the ledger (December)', async () => {
      const [rows, invoices, { budget }] = await Promise.all([
        allAllocations(commitment),
        allInvoices(commitment),
        commitmentOf(commitment),
      ]);
      const villages = await mapConcurrently(rows, LEDGER_READS, (a) => villageLedger(run, a));
      return { figures: ledgerFigures(budget, villages, invoices), counts: { villages: rows.length } };
    })
    .then(({ figures }) => figures);

/** Waits until the reports (kept by the stream projector, behind the writes) equal the ledger or stop changing. */
const reportsCatchUp = (
  run: YearRun,
  commitment: YearCommitment,
  { moment, tag, figures, lastWriteAt }: ThreeWay,
) =>
  run.recorder.phase(`reports catch up (${tag})`, async () => {
    const outcome = await waitForReports({
      read: () => readReports(commitment.officer, commitment.commitmentId, JAMBI),
      ledger: figures,
      progress: () => run.stack.streamConsumers['reports-projector']?.delivered ?? 0,
      log: run.log,
    });
    const after = Math.round((Date.now() - lastWriteAt) / 100) / 10;
    run.log(
      outcome.caughtUp
        ? `${moment}: the reports equal the ledger ${after} s after the last write (waited ${outcome.seconds} s)`
        : `${moment}: the reports still differ from the ledger ${after} s after the last write (waited ${outcome.seconds} s)`,
    );
    return { ...outcome, after, counts: {} };
  });

/** One moment of "dashboard = API = ledger". */
interface ThreeWay {
  readonly moment: string;
  /** Names the phases and the screenshots, e.g. `December`. */
  readonly tag: string;
  readonly figures: Figures;
  readonly lastWriteAt: number;
}

/**
 * Dashboard = API = ledger at one moment: waits for the reports to catch up, then reads the reports API and
 * the dashboard at the same time and compares both with the ledger's figures.
 */
export const compareThree = async (
  run: YearRun,
  commitment: YearCommitment,
  screenshotDir: string,
  when: ThreeWay,
): Promise<DashboardCheck> => {
  const wait = await reportsCatchUp(run, commitment, when);
  const { problems, year } = run;
  const { moment } = when;
  const { counts: _counts, ...check } = await run.recorder.phase(
    `dashboard = API = ledger (${when.tag})`,
    async () => {
      if (await ensureDashboardBuilt())
        run.log('Dashboard built: packages/web/dist was missing or older than its sources');
      // Read again after the wait: the API and the dashboard are compared as they are at the same time.
      const reports = await readReports(commitment.officer, commitment.commitmentId, JAMBI);
      const shown = await readShownDashboard(run, screenshotDir, when);
      const villages = await readVillagesSummed(commitment.officer, JAMBI);
      run.log(
        `${moment}: the coverage report listed the ${villages.villages.toLocaleString('id-ID')} villages of ${JAMBI} in ${secondsText(villages.seconds)}`,
      );
      const comparison = compareSources(when.figures, [
        ...reports.sources,
        villages.source,
        ...shown.sources,
      ]);
      problems.push(...comparison.differences.map((d) => `${moment}, dashboard = API = ledger: ${d}`));
      problems.push(...shown.pageErrors.map((e) => `${moment}: the dashboard failed: ${e}`));
      if (reports.fiscalYear !== year) {
        problems.push(`${moment}: the coverage report shows ${reports.fiscalYear}, not ${year}`);
      }
      if (
        shown.sources.length > 0 &&
        !(shown.title.includes(String(year)) && shown.title.includes('Jambi'))
      ) {
        problems.push(`${moment}: the dashboard's overview is "${shown.title}", not Jambi's year ${year}`);
      }
      return {
        moment,
        comparison,
        waitSeconds: wait.seconds,
        secondsAfterLastWrite: wait.after,
        caughtUp: wait.caughtUp,
        title: shown.title,
        screenshots: shown.screenshots,
        notes: shown.notes,
        counts: {},
      };
    },
  );
  return check;
};

/** The dashboard as shown; one that cannot be read is a failed check, not a lost year (the figures still count). */
const readShownDashboard = (run: YearRun, screenshotDir: string, { moment, tag }: ThreeWay) =>
  readDashboard({
    url: run.stack.httpUrl,
    sponsorName: SPONSOR_NAME,
    screenshotDir,
    name: `dashboard-${tag.toLowerCase().replaceAll(' ', '-')}`,
  }).catch((error: unknown) => {
    run.problems.push(
      `${moment}: the dashboard could not be read: ${error instanceof Error ? error.message : error}`,
    );
    return { sources: [], title: '', screenshots: [], notes: [], pageErrors: [] };
  });

/** What the villages were billed: the sum, the lines and the number of their invoices; an unpaid one is a problem. */
const billedByVillage = (run: YearRun, invoices: readonly InvoiceRow[]) => {
  const billed = new Map<string, { total: number; lines: number; count: number }>();
  for (const i of invoices) {
    const b = billed.get(i.villageCode) ?? { total: 0, lines: 0, count: 0 };
    b.total += i.total;
    b.lines += i.lineCount;
    b.count++;
    billed.set(i.villageCode, b);
    if (i.status !== 'paid') run.problems.push(`invoice of ${i.villageCode} ${i.period} is ${i.status}`);
  }
  return billed;
};

/** One closed village against its plan, its invoices and its ledger; resolves to its ledger. */
const checkVillage = async (
  run: YearRun,
  a: AllocationRow,
  plan: VillagePlan | undefined,
  bill = { total: 0, lines: 0, count: 0 },
): Promise<VillageLedger | undefined> => {
  const say = (what: string) => run.problems.push(`${a.villageCode}: ${what}`);
  if (!plan) {
    say('has no plan');
    return undefined;
  }
  if (a.workers !== plan.enrolled) say(`${a.workers} workers, planned ${plan.enrolled}`);
  if (a.spent !== plan.cost) say(`spent ${a.spent}, planned ${plan.cost}`);
  if (a.released !== plan.leftover) say(`released ${a.released}, planned ${plan.leftover}`);
  if (a.available !== 0 || a.reserved !== 0)
    say(`available ${a.available}, reserved ${a.reserved} after close`);
  if (a.spent + a.released !== a.budget) say(`spent + released ${a.spent + a.released} ≠ quota ${a.budget}`);
  if (bill.total !== a.spent) say(`invoices total ${bill.total}, spent ${a.spent}`);
  if (bill.lines !== plan.workerMonths)
    say(`${bill.lines} invoice lines, planned ${plan.workerMonths} worker-months`);
  if (bill.count !== 12) say(`${bill.count} invoices, expected one a month`);
  const village = await villageLedger(run, a);
  for (const problem of village.reconciliation.problems) say(`ledger: ${problem}`);
  return village;
};

/** The closed year's totals, from the allocations and invoices, beside what the plan expected. */
const summarise = (
  closed: readonly AllocationRow[],
  invoices: readonly InvoiceRow[],
  plans: readonly VillagePlan[],
  rest: Pick<YearSummary, 'committed' | 'refusedQuotaFull' | 'deadLetters' | 'commitmentId'>,
): YearSummary => {
  const sum = <T>(items: readonly T[], pick: (item: T) => number) =>
    items.reduce((total, item) => total + pick(item), 0);
  return {
    villages: closed.length,
    committed: rest.committed,
    allocated: sum(closed, (a) => a.budget),
    spent: sum(closed, (a) => a.spent),
    released: sum(closed, (a) => a.released),
    reserved: sum(closed, (a) => a.reserved),
    left: sum(closed, (a) => a.available),
    workersCovered: sum(closed, (a) => a.workers),
    workerMonths: sum(invoices, (i) => i.lineCount),
    invoices: invoices.length,
    invoicesPaid: invoices.filter((i) => i.status === 'paid').length,
    invoiceTotal: sum(invoices, (i) => i.total),
    refusedQuotaFull: rest.refusedQuotaFull,
    planned: {
      workers: sum(plans, (p) => p.enrolled),
      workerMonths: sum(plans, (p) => p.workerMonths),
      spent: sum(plans, (p) => p.cost),
    },
    deadLetters: rest.deadLetters,
    commitmentId: rest.commitmentId,
  };
};

/**
 * 5. Every closed village against its plan, its invoices and its ledger; no dead letters; the commitment's totals
 * equal to the villages'. Resolves to the year's summary and the ledger's figures of the closed year.
 */
export const checkEveryVillage = (
  run: YearRun,
  commitment: YearCommitment,
  plans: readonly VillagePlan[],
  refusedQuotaFull: number,
) =>
  run.recorder.phase('check every village', async () => {
    const closed = await allAllocations(commitment);
    const invoices = await allInvoices(commitment);
    const totals = await commitmentOf(commitment);
    const planOf = new Map<string, VillagePlan>(plans.map((p) => [p.villageCode, p]));
    const billed = billedByVillage(run, invoices);
    const checked = await mapConcurrently(closed, LEDGER_READS, (a) =>
      checkVillage(run, a, planOf.get(a.villageCode), billed.get(a.villageCode)),
    );
    const villages = checked.filter((v): v is VillageLedger => v !== undefined);
    const { dead } = await queueDepths(run);
    if (dead > 0) run.problems.push(`${dead} messages in dead-letter queues`);
    const { commitmentId } = commitment;
    const committed = totals.budget;
    const result = summarise(closed, invoices, plans, {
      committed,
      refusedQuotaFull,
      deadLetters: dead,
      commitmentId,
    });
    if (totals.totals.spent !== result.spent)
      run.problems.push(`commitment totals spent ${totals.totals.spent} ≠ ${result.spent}`);
    return {
      result,
      figures: ledgerFigures(totals.budget, villages, invoices),
      counts: { villages: closed.length, invoices: invoices.length },
    };
  });
