/**
 * The Jambi BKBK year on the embedded local stack, through the HTTP API as the province and its villages
 * would use it: the province commits 10% of each village's Rp 100.000.000 grant, an approver approves, every
 * village imports its workers month by month until its quota is full, the twelve monthly rolls issue the
 * invoices that the billing simulator acknowledges and pays, and the January roll of the next year closes
 * the year and releases what is left. Then every village is checked against its plan, to the rupiah, and
 * the year's totals on the dashboard against the reports API's and the ledger's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ApiProblemError, LindungClient, ProgressBar } from '@lindung/cli';
import { benefitPackage, type Period, periodOf, villagesOf } from '@lindung/core';
import { documentClient, EnrollmentRepository, LedgerRepository } from '@lindung/store';
import { type LocalStack, startLocalStack } from '../../packages/local/src/stack.js';
import type { StreamPollerStats } from '../../packages/local/src/stream-poller.js';
import { ensureDashboardBuilt, readDashboard } from './dashboard.js';
import { importAndWait } from './imports.js';
import { childProcessNamed, type PhaseFigures, PhaseRecorder } from './phases.js';
import {
  type Comparison,
  compareSources,
  type Figures,
  invoiceFigures,
  readReports,
  waitForReports,
} from './three-way.js';
import { JAMBI, jambiVillages, planVillages, startingIn, type VillagePlan } from './workforce.js';

/** Jambi's BKBK rule: 10% of a Rp 100.000.000 grant to every village pays premiums. */
export const GRANT_PER_VILLAGE = 100_000_000;
export const PREMIUM_SHARE_PERCENT = 10;
export const QUOTA_PER_VILLAGE = (GRANT_PER_VILLAGE * PREMIUM_SHARE_PERCENT) / 100;
const BENEFIT = { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 } as const;
export const SPONSOR_NAME = 'Pemerintah Provinsi Jambi';

export interface YearOptions {
  /** Villages of Jambi to include (default: all 1,585), spread over the province. */
  readonly villages?: number;
  readonly year: number;
  /** Import jobs in flight at once (the import worker enrolls a job's rows 16 at a time). */
  readonly concurrency: number;
  readonly seed?: number;
  /** Progress lines (the demo writes them to stderr). */
  readonly log: (line: string) => void;
  /** At the end, compare the dashboard's totals with the API's and the ledger's (absent: not compared). */
  readonly dashboard?: { readonly screenshotDir: string };
}

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

export interface YearResult {
  readonly year: number;
  readonly villages: number;
  readonly concurrency: number;
  readonly phases: readonly PhaseFigures[];
  readonly peaks: { readonly nodeMiB: number; readonly dynamodbMiB: number };
  readonly summary: YearSummary;
  /** What the reports projector (the ledger stream's consumer) did over the year. */
  readonly projector: StreamPollerStats | undefined;
  /** Dashboard = API = ledger: after the December roll, and after the year closed (when asked for). */
  readonly dashboard: readonly DashboardCheck[];
  /** Every disagreement found between the plan, the counters, the invoices, the ledger and the reports. */
  readonly problems: readonly string[];
}

const period = (year: number, month: number): Period => periodOf(year, month);

/** Runs `work` over `items` with at most `limit` in flight. */
const eachConcurrently = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/** Seconds as an Indonesian reader writes them: `633,9 s`. */
const secondsText = (seconds: number) => `${seconds.toLocaleString('id-ID', { maximumFractionDigits: 1 })} s`;

/** A log that says something at most once every `ms` (progress of a long phase, without flooding). */
const throttled = (log: (line: string) => void, ms = 30_000) => {
  let last = Date.now();
  return (line: () => string) => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    log(line());
  };
};

/** Polls until `probe` says done; a phase that never ends is a failure, not a hang. */
const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs = 120 * 60_000) => {
  const deadline = Date.now() + timeoutMs;
  for (let interval = 50; !(await probe()); interval = Math.min(1_000, interval * 2)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
};

/**
 * Approves a commitment. Activation writes every village's allocation; over 1,585 villages that can outlast
 * the API's 29 s, which then answers 500 while the writing goes on. The approver then retries, which the API
 * resumes (the writes are conditional), until the commitment is active.
 */
const approve = async (approver: LindungClient, commitmentId: string) => {
  for (let attempt = 1; ; attempt++) {
    try {
      await approver.post(`/v1/commitments/${commitmentId}/approve`, {});
      return;
    } catch (error) {
      if (!(error instanceof ApiProblemError) || attempt >= 10) throw error;
      const { status } = await approver.get<{ status: string }>(`/v1/commitments/${commitmentId}`);
      if (status === 'active') return;
      if (error.status < 500 && error.code !== 'illegal-transition') throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
};

interface AllocationRow {
  readonly villageCode: string;
  readonly status: string;
  readonly budget: number;
  readonly available: number;
  readonly reserved: number;
  readonly spent: number;
  readonly released: number;
  readonly workers: number;
  readonly rolledThrough?: string;
  readonly commitmentId: string;
  readonly fiscalYear: number;
  readonly sponsorId: string;
}

const allAllocations = async (client: LindungClient, commitmentId: string): Promise<AllocationRow[]> => {
  const rows: AllocationRow[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.get<{ items: AllocationRow[]; nextPageToken?: string }>(
      `/v1/commitments/${commitmentId}/allocations`,
      { query: { limit: 1000, pageToken } },
    );
    rows.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return rows;
};

interface InvoiceRow {
  readonly villageCode: string;
  readonly period: string;
  readonly total: number;
  readonly lineCount: number;
  readonly status: string;
}

const allInvoices = async (client: LindungClient, sponsorId: string): Promise<InvoiceRow[]> => {
  const rows: InvoiceRow[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.get<{ items: InvoiceRow[]; nextPageToken?: string }>('/v1/invoices', {
      query: { sponsorId, limit: 1000, pageToken },
    });
    rows.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return rows;
};

/** Messages waiting or in flight on every queue, and on the dead-letter queues. */
const queueDepths = async (stack: LocalStack, sqs: SQSClient) => {
  let pending = 0;
  let dead = 0;
  for (const queue of Object.values(stack.queues)) {
    for (const [url, isDead] of [
      [queue.url, false],
      [queue.deadLetterUrl, true],
    ] as const) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const depth = Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
      if (isDead) dead += depth;
      else pending += depth;
    }
  }
  return { pending, dead };
};

/** Runs the year; resolves to its phases, summary and any problem found. */
export const runJambiYear = async (options: YearOptions): Promise<YearResult> => {
  const { year, log, concurrency } = options;
  const recorder = new PhaseRecorder();
  const problems: string[] = [];
  const villageCodes = jambiVillages(options.villages);
  const whole = villageCodes.length === villagesOf(JAMBI).length;
  // The handlers run in this process; their warnings would drown the progress lines.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

  const stack = await recorder.phase('start the local stack (in memory)', async () => {
    const started = await startLocalStack({
      inMemory: true,
      httpPort: 0,
      log: (line) => log(`  [stack] ${line}`),
    });
    recorder.watchDynamoDb(childProcessNamed('java'));
    return Object.assign(started, { counts: {} });
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = stack.env.AWS_REGION ?? 'ap-southeast-3';
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    region,
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  const dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region, credentials });
  const document = documentClient(dynamodb);
  const ledger = new LedgerRepository(document, stack.tables.ledger?.name ?? '');
  const enrollments = new EnrollmentRepository(document, stack.tables.ledger?.name ?? '');
  try {
    const as = async (claims: Parameters<LocalStack['tokens']['issue']>[0]) =>
      new LindungClient(stack.httpUrl, await stack.tokens.issue(claims));
    const admin = await as({ roles: ['admin'], sub: 'demo-admin' });

    // 1. The province's commitment, drafted by its finance office and approved by someone else.
    const { sponsorId, commitmentId, officer } = await recorder.phase('commit and approve', async () => {
      const sponsor = await admin.post<{ id: string }>('/v1/sponsors', {
        name: SPONSOR_NAME,
        kind: 'province',
        regionCode: JAMBI,
      });
      const staff = { sponsorId: sponsor.id };
      const officer = await as({ roles: ['sponsor-officer'], ...staff, sub: 'demo-finance-officer' });
      const approver = await as({ roles: ['sponsor-approver'], ...staff, sub: 'demo-head-of-finance' });
      const draft = await officer.post<{ id: string; budget: number }>('/v1/commitments', {
        sponsorId: sponsor.id,
        fiscalYear: year,
        // The whole province is the BKBK rule itself; a sample of villages gets the same quota each.
        budget: whole
          ? {
              kind: 'percent-of-grant',
              grantPerVillage: GRANT_PER_VILLAGE,
              percent: PREMIUM_SHARE_PERCENT,
              region: JAMBI,
            }
          : { kind: 'fixed', amount: QUOTA_PER_VILLAGE * villageCodes.length },
        benefit: BENEFIT,
        reservation: 'fiscal-year',
        allocation: whole ? { method: 'percent-of-grant' } : { method: 'equal', villages: villageCodes },
      });
      await approve(approver, draft.id);
      log(`Commitment ${draft.id}: Rp ${draft.budget.toLocaleString('id-ID')} approved`);
      return {
        sponsorId: sponsor.id,
        commitmentId: draft.id,
        officer,
        counts: { villages: villageCodes.length },
      };
    });

    const allocations = await allAllocations(officer, commitmentId);
    for (const a of allocations) {
      if (a.budget !== QUOTA_PER_VILLAGE)
        problems.push(`${a.villageCode}: quota ${a.budget}, not ${QUOTA_PER_VILLAGE}`);
    }
    if (allocations.length !== villageCodes.length) {
      problems.push(`${allocations.length} allocations for ${villageCodes.length} villages`);
    }

    const plans = planVillages(villageCodes, {
      year,
      quota: QUOTA_PER_VILLAGE,
      benefit: benefitPackage(BENEFIT),
      ...(options.seed !== undefined && { seed: options.seed }),
    });
    const operators = new Map<string, LindungClient>();
    for (const code of villageCodes) {
      operators.set(
        code,
        await as({ roles: ['village-operator'], villageCodes: [code], sub: `operator-${code}` }),
      );
    }
    let refusedQuotaFull = 0;

    // 2. Twelve months: the villages enroll the month's workers, then the month is rolled.
    const enrollMonth = async (p: Period) => {
      const villages = startingIn(plans, p);
      let created = 0;
      let imported = 0;
      // Into the demo's log, a line at every tenth of the month's villages.
      const progress = new ProgressBar(
        { write: (text) => log(text.trimEnd()) },
        villages.length,
        `  ${p} imports`,
      );
      await eachConcurrently(villages, concurrency, async ({ villageCode, workers }) => {
        const operator = operators.get(villageCode) as LindungClient;
        const job = await importAndWait(
          operator,
          villageCode,
          {
            commitmentId,
            rows: workers.map((w) => ({ nik: w.nik, name: w.name, startPeriod: w.startPeriod })),
          },
          { idempotencyKey: `demo-${commitmentId}-${villageCode}-${p}` },
        );
        // Rows are enrolled concurrently, so which of a month's workers meets the full quota is not fixed;
        // they all cost the same, so the counts are what the plan decides.
        const outcomes = new Map<string, number>(Object.entries(job.byCode));
        if (job.rows.enrolled > 0) outcomes.set('created', job.rows.enrolled);
        const planned = new Map<string, number>();
        for (const w of workers) planned.set(w.expect, (planned.get(w.expect) ?? 0) + 1);
        created += outcomes.get('created') ?? 0;
        refusedQuotaFull += outcomes.get('quota-exhausted') ?? 0;
        imported++;
        progress.update(imported, `${created.toLocaleString('id-ID')} workers enrolled`);
        const said = JSON.stringify([...outcomes].sort());
        if (said !== JSON.stringify([...planned].sort())) {
          problems.push(
            `${villageCode} ${p}: answered ${said}, planned ${JSON.stringify([...planned].sort())}`,
          );
        }
      });
      return { created, villages: villages.length };
    };
    const rollMonth = async (p: Period, done: (a: AllocationRow) => boolean) => {
      // The roll is idempotent: when its answer is a 5xx (a loaded machine can outlast the API's 29 s while
      // it queues 1,585 units), rolling again queues the same units, which change nothing twice.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.post(`/v1/periods/${p}/roll`, {});
          break;
        } catch (error) {
          if (!(error instanceof ApiProblemError) || error.status < 500 || attempt >= 5) throw error;
          log(`  the roll of ${p} answered ${error.status} ${error.code}; rolling again`);
        }
      }
      // The roll has queued its work when it answers; the queues run dry once every village is rolled and
      // billing has acknowledged and paid (before the next month: three unpaid months lapse coverage).
      // Watching the queues costs DynamoDB Local nothing; the allocations are read once they are dry.
      const progress = throttled(log);
      await waitFor(`the roll of ${p} and its billing`, async () => {
        const { pending } = await queueDepths(stack, sqs);
        progress(
          () => `  ${p}: ${pending.toLocaleString('id-ID')} messages of renewal work and billing pending`,
        );
        if (pending > 0) return false;
        return (await allAllocations(officer, commitmentId)).every(done);
      });
    };

    let enrolled = 0;
    let enrollSeconds = 0;
    let rollSeconds = 0;
    for (let month = 1; month <= 12; month++) {
      const p = period(year, month);
      const started = performance.now();
      const { created, villages } = await recorder.phase(`${p} enroll`, async () => {
        const outcome = await enrollMonth(p);
        return { ...outcome, counts: { enrollments: outcome.created, villages: outcome.villages } };
      });
      const enrolledAt = performance.now();
      await recorder.phase(`${p} roll and bill`, async () => {
        await rollMonth(p, (a) => a.rolledThrough === p);
        return { counts: { villages: villageCodes.length } };
      });
      enrolled += created;
      enrollSeconds += (enrolledAt - started) / 1000;
      rollSeconds += (performance.now() - enrolledAt) / 1000;
      log(
        `${p}: ${created.toLocaleString('id-ID')} workers enrolled in ${villages.toLocaleString('id-ID')} villages (${secondsText((enrolledAt - started) / 1000)}), rolled and billed in ${secondsText((performance.now() - enrolledAt) / 1000)}; ${enrolled.toLocaleString('id-ID')} so far`,
      );
    }
    log(
      `Enrollment ${secondsText(enrollSeconds)} in all (${Math.round(enrolled / enrollSeconds).toLocaleString('id-ID')}/s), rolls ${secondsText(rollSeconds)}`,
    );

    /** A village's ledger: the counters its entries add up to, and the coverages still running. */
    const villageLedger = async (a: AllocationRow) => {
      const reconciliation = await ledger.reconcile({
        ...a,
        status: a.status as 'active' | 'closed',
      } as Parameters<LedgerRepository['reconcile']>[0]);
      const running = await enrollments.ofAllocation(commitmentId, a.villageCode);
      return { reconciliation, covered: running.filter((e) => e.status === 'active').length };
    };
    /** The ledger's side of "dashboard = API = ledger": the villages' ledgers summed, the invoices by state. */
    const ledgerFigures = (
      committed: number,
      villages: readonly Awaited<ReturnType<typeof villageLedger>>[],
      invoices: readonly InvoiceRow[],
    ): Figures => {
      const sum = (pick: (v: Awaited<ReturnType<typeof villageLedger>>) => number) =>
        villages.reduce((total, v) => total + pick(v), 0);
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
    const commitmentBudget = async () =>
      (await officer.get<{ budget: number }>(`/v1/commitments/${commitmentId}`)).budget;
    /**
     * Dashboard = API = ledger at one moment: waits until the reports (kept by the stream projector, behind
     * the writes) equal the ledger or stop changing, then reads the reports API and the dashboard.
     */
    const checks: DashboardCheck[] = [];
    const compareThree = async (moment: string, tag: string, figures: Figures, lastWriteAt: number) => {
      if (!options.dashboard) return;
      const { screenshotDir } = options.dashboard;
      const wait = await recorder.phase(`reports catch up (${tag})`, async () => {
        const outcome = await waitForReports({
          read: () => readReports(officer, commitmentId, JAMBI),
          ledger: figures,
          progress: () => stack.streamConsumers['reports-projector']?.delivered ?? 0,
          log,
        });
        const after = Math.round((Date.now() - lastWriteAt) / 100) / 10;
        log(
          outcome.caughtUp
            ? `${moment}: the reports equal the ledger ${after} s after the last write (waited ${outcome.seconds} s)`
            : `${moment}: the reports still differ from the ledger ${after} s after the last write (waited ${outcome.seconds} s)`,
        );
        return { ...outcome, after, counts: {} };
      });
      const { counts: _counts, ...check } = await recorder.phase(
        `dashboard = API = ledger (${tag})`,
        async () => {
          if (await ensureDashboardBuilt())
            log('Dashboard built: packages/web/dist was missing or older than its sources');
          // Read again after the wait: the API and the dashboard are compared as they are at the same time.
          const reports = await readReports(officer, commitmentId, JAMBI);
          // A dashboard that cannot be read is a failed check, not a lost year: the figures are still reported.
          const shown = await readDashboard({
            url: stack.httpUrl,
            sponsorName: SPONSOR_NAME,
            screenshotDir,
            name: `dashboard-${tag.toLowerCase().replaceAll(' ', '-')}`,
          }).catch((error: unknown) => {
            problems.push(
              `${moment}: the dashboard could not be read: ${error instanceof Error ? error.message : error}`,
            );
            return { sources: [], title: '', screenshots: [], notes: [], pageErrors: [] };
          });
          const comparison = compareSources(figures, [...reports.sources, ...shown.sources]);
          problems.push(...comparison.differences.map((d) => `${moment}, dashboard = API = ledger: ${d}`));
          problems.push(...shown.pageErrors.map((e) => `${moment}: the dashboard failed: ${e}`));
          if (reports.fiscalYear !== year) {
            problems.push(`${moment}: the coverage report shows ${reports.fiscalYear}, not ${year}`);
          }
          if (
            shown.sources.length > 0 &&
            !(shown.title.includes(String(year)) && shown.title.includes('Jambi'))
          ) {
            problems.push(
              `${moment}: the dashboard's overview is "${shown.title}", not Jambi's year ${year}`,
            );
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
      checks.push(check);
    };

    // 3. December rolled: every worker enrolled is still covered, the leftover quota not yet released.
    if (options.dashboard) {
      const lastWriteAt = Date.now();
      const figures = await recorder.phase('read the ledger (December)', async () => {
        const [rows, invoices, committed] = await Promise.all([
          allAllocations(officer, commitmentId),
          allInvoices(officer, sponsorId),
          commitmentBudget(),
        ]);
        const villages: Awaited<ReturnType<typeof villageLedger>>[] = [];
        await eachConcurrently(rows, 8, async (a) => {
          villages.push(await villageLedger(a));
        });
        return { figures: ledgerFigures(committed, villages, invoices), counts: { villages: rows.length } };
      });
      await compareThree(
        `${period(year, 12)}, before the year closes`,
        'December',
        figures.figures,
        lastWriteAt,
      );
    }

    // 4. Year end: January's roll closes the year and releases what each village did not spend.
    await recorder.phase('close the year', async () => {
      await rollMonth(period(year + 1, 1), (a) => a.status === 'closed');
      return { counts: { villages: villageCodes.length } };
    });
    const closedAt = Date.now();
    log(`Year ${year} closed`);

    // 5. Every village against its plan, its invoices and its ledger.
    const summary = await recorder.phase('check every village', async () => {
      const closed = await allAllocations(officer, commitmentId);
      const invoices = await allInvoices(officer, sponsorId);
      const totals = await officer.get<{ totals: Record<string, number>; budget: number }>(
        `/v1/commitments/${commitmentId}`,
      );
      const villages: Awaited<ReturnType<typeof villageLedger>>[] = [];
      const planOf = new Map<string, VillagePlan>(plans.map((p) => [p.villageCode, p]));
      const billed = new Map<string, { total: number; lines: number; count: number }>();
      for (const i of invoices) {
        const b = billed.get(i.villageCode) ?? { total: 0, lines: 0, count: 0 };
        b.total += i.total;
        b.lines += i.lineCount;
        b.count++;
        billed.set(i.villageCode, b);
        if (i.status !== 'paid') problems.push(`invoice of ${i.villageCode} ${i.period} is ${i.status}`);
      }
      await eachConcurrently(closed, 8, async (a) => {
        const plan = planOf.get(a.villageCode);
        const bill = billed.get(a.villageCode) ?? { total: 0, lines: 0, count: 0 };
        const say = (what: string) => problems.push(`${a.villageCode}: ${what}`);
        if (!plan) {
          say('has no plan');
          return;
        }
        if (a.workers !== plan.enrolled) say(`${a.workers} workers, planned ${plan.enrolled}`);
        if (a.spent !== plan.cost) say(`spent ${a.spent}, planned ${plan.cost}`);
        if (a.released !== plan.leftover) say(`released ${a.released}, planned ${plan.leftover}`);
        if (a.available !== 0 || a.reserved !== 0)
          say(`available ${a.available}, reserved ${a.reserved} after close`);
        if (a.spent + a.released !== a.budget)
          say(`spent + released ${a.spent + a.released} ≠ quota ${a.budget}`);
        if (bill.total !== a.spent) say(`invoices total ${bill.total}, spent ${a.spent}`);
        if (bill.lines !== plan.workerMonths)
          say(`${bill.lines} invoice lines, planned ${plan.workerMonths} worker-months`);
        if (bill.count !== 12) say(`${bill.count} invoices, expected one a month`);
        const village = await villageLedger(a);
        for (const problem of village.reconciliation.problems) say(`ledger: ${problem}`);
        villages.push(village);
      });
      const { dead } = await queueDepths(stack, sqs);
      if (dead > 0) problems.push(`${dead} messages in dead-letter queues`);
      const sum = (pick: (a: AllocationRow) => number) => closed.reduce((s, a) => s + pick(a), 0);
      const result: YearSummary = {
        villages: closed.length,
        committed: totals.budget,
        allocated: sum((a) => a.budget),
        spent: sum((a) => a.spent),
        released: sum((a) => a.released),
        reserved: sum((a) => a.reserved),
        left: sum((a) => a.available),
        workersCovered: sum((a) => a.workers),
        workerMonths: invoices.reduce((s, i) => s + i.lineCount, 0),
        invoices: invoices.length,
        invoicesPaid: invoices.filter((i) => i.status === 'paid').length,
        invoiceTotal: invoices.reduce((s, i) => s + i.total, 0),
        refusedQuotaFull,
        planned: {
          workers: plans.reduce((s, p) => s + p.enrolled, 0),
          workerMonths: plans.reduce((s, p) => s + p.workerMonths, 0),
          spent: plans.reduce((s, p) => s + p.cost, 0),
        },
        deadLetters: dead,
        commitmentId,
      };
      if (totals.totals.spent !== result.spent)
        problems.push(`commitment totals spent ${totals.totals.spent} ≠ ${result.spent}`);
      return {
        result,
        figures: ledgerFigures(totals.budget, villages, invoices),
        counts: { villages: closed.length, invoices: invoices.length },
      };
    });

    // 6. After the year: the dashboard's totals equal the API's and the ledger's, to the rupiah.
    await compareThree(`${year} closed`, 'closed', summary.figures, closedAt);
    const projector = stack.streamConsumers['reports-projector'];
    if (projector && projector.failed > 0) {
      problems.push(`the reports projector gave up on ${projector.failed} stream records`);
    }
    return {
      year,
      villages: villageCodes.length,
      concurrency,
      phases: recorder.phases,
      peaks: recorder.peaks(),
      summary: summary.result,
      projector: projector && { ...projector },
      dashboard: checks,
      problems,
    };
  } catch (error) {
    const where = recorder.running ? ` during "${recorder.running}"` : '';
    if (error instanceof ApiProblemError) {
      throw new Error(`the API answered ${error.status} ${error.code}${where}: ${error.message}`, {
        cause: error,
      });
    }
    throw new Error(`${error instanceof Error ? error.message : String(error)}${where}`, { cause: error });
  } finally {
    recorder.stop();
    sqs.destroy();
    dynamodb.destroy();
    await stack.stop();
  }
};
