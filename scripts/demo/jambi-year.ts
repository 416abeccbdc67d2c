/**
 * The Jambi BKBK year on the embedded local stack, through the HTTP API as the province and its villages
 * would use it: the province commits 10% of each village's Rp 100.000.000 grant, an approver approves, every
 * village enrolls its workers month by month until its quota is full (a month of many by a file import, a few
 * one by one through the enrollment API, as an operator does at the form), the twelve monthly rolls issue the
 * invoices that the billing simulator acknowledges and pays, and the January roll of the next year closes
 * the year and releases what is left. Then every village is checked against its plan, to the rupiah, and
 * the year's totals on the dashboard against the reports API's and the ledger's.
 */
import { ApiProblemError, type LindungClient, ProgressBar } from '@lindung/cli';
import { benefitPackage, mapConcurrently, type Period, periodOf, retrying, villagesOf } from '@lindung/core';
import type { PollerStats } from '../../packages/local/src/sqs-poller.js';
import { startLocalStack } from '../../packages/local/src/stack.js';
import type { StreamPollerStats } from '../../packages/local/src/stream-poller.js';
import { importAndWait } from './imports.js';
import { childProcessNamed, type PhaseFigures, PhaseRecorder } from './phases.js';
import type { Figures } from './three-way.js';
import {
  JAMBI,
  jambiVillages,
  type PlannedWorker,
  planVillages,
  startingIn,
  type VillagePlan,
} from './workforce.js';
import {
  checkEveryVillage,
  compareThree,
  type DashboardCheck,
  readLedgerFigures,
  type YearSummary,
} from './year-checks.js';
import {
  type AllocationRow,
  allAllocations,
  GRANT_PER_VILLAGE,
  openRun,
  PREMIUM_SHARE_PERCENT,
  QUOTA_PER_VILLAGE,
  queueDepths,
  SPONSOR_NAME,
  secondsText,
  throttled,
  waitFor,
  type YearCommitment,
  type YearRun,
} from './year-run.js';

export type { DashboardCheck, YearSummary } from './year-checks.js';
export { GRANT_PER_VILLAGE, PREMIUM_SHARE_PERCENT, QUOTA_PER_VILLAGE, SPONSOR_NAME } from './year-run.js';

const BENEFIT = { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 } as const;

export interface YearOptions {
  /** Villages of Jambi to include (default: all 1,585), spread over the province. */
  readonly villages?: number;
  readonly year: number;
  /** Villages enrolling at once: import jobs, or single enrollments, in flight. */
  readonly concurrency: number;
  /**
   * A village's month of at least this many workers is imported as a file (one job); fewer are enrolled one by
   * one through `POST /v1/villages/{code}/enrollments`, as an operator enters a few joiners at the form.
   * 1 imports every month by file, as the demo did until 2026-12-03. Default {@link FILE_FROM}.
   */
  readonly fileFrom?: number;
  readonly seed?: number;
  /** Progress lines (the demo writes them to stderr). */
  readonly log: (line: string) => void;
  /** At the end, compare the dashboard's totals with the API's and the ledger's (absent: not compared). */
  readonly dashboard?: { readonly screenshotDir: string };
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
  /** What each queue's consumer did over the year, by function id (absent in results of older runs). */
  readonly queueConsumers?: Readonly<Record<string, PollerStats>>;
  /** Dashboard = API = ledger: after the December roll, and after the year closed (when asked for). */
  readonly dashboard: readonly DashboardCheck[];
  /** Every disagreement found between the plan, the counters, the invoices, the ledger and the reports. */
  readonly problems: readonly string[];
}

const period = (year: number, month: number): Period => periodOf(year, month);

/** The fewest workers of a village's month that go by file: the January cohorts (30 or more) do, joiners not. */
export const FILE_FROM = 6;

/** Runs the year; resolves to its phases, summary and any problem found. */
export const runJambiYear = async (options: YearOptions): Promise<YearResult> => {
  const { year, log, dashboard } = options;
  const recorder = new PhaseRecorder();
  const villageCodes = jambiVillages(options.villages);
  // The handlers run in this process; their warnings would drown the progress lines.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const stack = await startStack(recorder, log);
  const { run, close } = openRun(stack, { year, villageCodes, log, recorder });
  try {
    const commitment = await commitAndApprove(run);
    await checkQuotas(run, commitment);
    const plans = planTheYear(run, options.seed);
    const refused = await enrollAndRollTwelveMonths(run, commitment, plans, {
      concurrency: options.concurrency,
      fileFrom: options.fileFrom ?? FILE_FROM,
    });
    const december = dashboard && (await compareDecember(run, commitment, dashboard.screenshotDir));
    const closedAt = await closeTheYear(run, commitment);
    const summary = await checkEveryVillage(run, commitment, plans, refused);
    const closed =
      dashboard && (await compareClosed(run, commitment, dashboard.screenshotDir, summary.figures, closedAt));
    const checks = [december, closed].filter((check): check is DashboardCheck => check !== undefined);
    return yearResult(run, options.concurrency, summary.result, checks);
  } catch (error) {
    throw whereItFailed(error, recorder);
  } finally {
    recorder.stop();
    close();
    await stack.stop();
  }
};

/** The local stack, in memory, with the DynamoDB Local JVM watched for the phases' figures. */
const startStack = (recorder: PhaseRecorder, log: (line: string) => void) =>
  recorder.phase('start the local stack (in memory)', async () => {
    const started = await startLocalStack({
      inMemory: true,
      httpPort: 0,
      log: (line) => log(`  [stack] ${line}`),
    });
    recorder.watchDynamoDb(childProcessNamed('java'));
    recorder.countRequests(() => started.requestCounts());
    return Object.assign(started, { counts: {} });
  });

/** The commitment as drafted: the whole province is the BKBK rule itself; a sample of villages gets the same quota each. */
const commitmentDraft = ({ year, villageCodes }: YearRun, sponsorId: string) => {
  const whole = villageCodes.length === villagesOf(JAMBI).length;
  return {
    sponsorId,
    fiscalYear: year,
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
  };
};

/** 1. The province's commitment, drafted by its finance office and approved by someone else. */
const commitAndApprove = (run: YearRun): Promise<YearCommitment> =>
  run.recorder.phase('commit and approve', async () => {
    const admin = await run.admin();
    const sponsor = await admin.post<{ id: string }>('/v1/sponsors', {
      name: SPONSOR_NAME,
      kind: 'province',
      regionCode: JAMBI,
    });
    const staff = { sponsorId: sponsor.id };
    const officer = await run.as({ roles: ['sponsor-officer'], ...staff, sub: 'demo-finance-officer' });
    const approver = await run.as({ roles: ['sponsor-approver'], ...staff, sub: 'demo-head-of-finance' });
    const draft = await officer.post<{ id: string; budget: number }>(
      '/v1/commitments',
      commitmentDraft(run, sponsor.id),
    );
    await approve(approver, draft.id);
    run.log(`Commitment ${draft.id}: Rp ${draft.budget.toLocaleString('id-ID')} approved`);
    const counts = { villages: run.villageCodes.length };
    return { sponsorId: sponsor.id, commitmentId: draft.id, officer, counts };
  });

/**
 * Approves a commitment. Activation writes every village's allocation; over 1,585 villages that can outlast
 * the API's 29 s, which then answers 500 while the writing goes on. The approver then retries, which the API
 * resumes (the writes are conditional), until the commitment is active.
 */
const approve = (approver: LindungClient, commitmentId: string) =>
  retrying(
    async () => {
      try {
        await approver.post(`/v1/commitments/${commitmentId}/approve`, {});
      } catch (error) {
        if (!(error instanceof ApiProblemError)) throw error;
        const { status } = await approver.get<{ status: string }>(`/v1/commitments/${commitmentId}`);
        if (status !== 'active') throw error;
      }
    },
    {
      attempts: 10,
      retryIf: (error) =>
        error instanceof ApiProblemError && (error.status >= 500 || error.code === 'illegal-transition'),
      minDelayMs: 2_000,
      maxDelayMs: 8_000,
    },
  );

/** Each village's workers, month by month, from the seeded plan (computed without the API). */
const planTheYear = ({ year, villageCodes }: YearRun, seed: number | undefined) =>
  planVillages(villageCodes, {
    year,
    quota: QUOTA_PER_VILLAGE,
    benefit: benefitPackage(BENEFIT),
    ...(seed !== undefined && { seed }),
  });

/** Every village of the year has the rule's quota. */
const checkQuotas = async (run: YearRun, commitment: YearCommitment) => {
  const allocations = await allAllocations(commitment);
  for (const a of allocations) {
    if (a.budget !== QUOTA_PER_VILLAGE)
      run.problems.push(`${a.villageCode}: quota ${a.budget}, not ${QUOTA_PER_VILLAGE}`);
  }
  if (allocations.length !== run.villageCodes.length) {
    run.problems.push(`${allocations.length} allocations for ${run.villageCodes.length} villages`);
  }
};

/** 2. Twelve months: the villages enroll the month's workers, then the month is rolled and billed. */
const enrollAndRollTwelveMonths = async (
  run: YearRun,
  commitment: YearCommitment,
  plans: readonly VillagePlan[],
  routes: EnrollRoutes,
): Promise<number> => {
  const operators = await villageOperators(run);
  let refusedQuotaFull = 0;
  let enrolled = 0;
  let enrollSeconds = 0;
  let rollSeconds = 0;
  for (let month = 1; month <= 12; month++) {
    const p = period(run.year, month);
    const started = performance.now();
    const joined = await run.recorder.phase(`${p} enroll`, async () => {
      const outcome = await enrollMonth(run, commitment, operators, startingIn(plans, p), routes, p);
      return { ...outcome, counts: { enrollments: outcome.created, villages: outcome.villages } };
    });
    const enrolledAt = performance.now();
    await run.recorder.phase(`${p} roll and bill`, async () => {
      await rollMonth(run, commitment, p, (a) => a.rolledThrough === p);
      return { counts: { villages: run.villageCodes.length } };
    });
    refusedQuotaFull += joined.refusedQuotaFull;
    enrolled += joined.created;
    enrollSeconds += (enrolledAt - started) / 1000;
    rollSeconds += (performance.now() - enrolledAt) / 1000;
    run.log(
      `${p}: ${joined.created.toLocaleString('id-ID')} workers enrolled in ${joined.villages.toLocaleString('id-ID')} villages (${secondsText((enrolledAt - started) / 1000)}), rolled and billed in ${secondsText((performance.now() - enrolledAt) / 1000)}; ${enrolled.toLocaleString('id-ID')} so far`,
    );
  }
  run.log(
    `Enrollment ${secondsText(enrollSeconds)} in all (${Math.round(enrolled / enrollSeconds).toLocaleString('id-ID')}/s), rolls ${secondsText(rollSeconds)}`,
  );
  return refusedQuotaFull;
};

/** Every village's operator, each with a token for its own village. */
const villageOperators = async (run: YearRun) => {
  const operators = new Map<string, LindungClient>();
  for (const code of run.villageCodes) {
    operators.set(
      code,
      await run.as({ roles: ['village-operator'], villageCodes: [code], sub: `operator-${code}` }),
    );
  }
  return operators;
};

/** How the villages enroll: `concurrency` at a time; a month of `fileFrom` workers or more by file. */
interface EnrollRoutes {
  readonly concurrency: number;
  readonly fileFrom: number;
}

/** The villages whose workers start in `p` enroll them, `concurrency` villages at a time. */
const enrollMonth = async (
  run: YearRun,
  commitment: YearCommitment,
  operators: ReadonlyMap<string, LindungClient>,
  villages: readonly { readonly villageCode: string; readonly workers: readonly PlannedWorker[] }[],
  { concurrency, fileFrom }: EnrollRoutes,
  p: Period,
) => {
  let created = 0;
  let refusedQuotaFull = 0;
  let villagesDone = 0;
  // Into the demo's log, a line at every tenth of the month's villages.
  const progress = new ProgressBar(
    { write: (text) => run.log(text.trimEnd()) },
    villages.length,
    `  ${p} villages`,
  );
  await mapConcurrently(villages, concurrency, async ({ villageCode, workers }) => {
    const operator = operators.get(villageCode) as LindungClient;
    const enroll = workers.length >= fileFrom ? importVillage : enrollOneByOne;
    const outcomes = checkedAgainstPlan(
      run,
      `${villageCode} ${p}`,
      await enroll(commitment, operator, villageCode, workers, p),
      workers,
    );
    created += outcomes.get('created') ?? 0;
    refusedQuotaFull += outcomes.get('quota-exhausted') ?? 0;
    villagesDone++;
    progress.update(villagesDone, `${created.toLocaleString('id-ID')} workers enrolled`);
  });
  return { created, refusedQuotaFull, villages: villages.length };
};

/** The count of each outcome of a village's month: `created`, or the code of the API's refusal. */
type Outcomes = Map<string, number>;

/** One village imports the month's workers as a file (one job) and waits for every row's result. */
const importVillage = async (
  { commitmentId }: YearCommitment,
  operator: LindungClient,
  villageCode: string,
  workers: readonly PlannedWorker[],
  p: Period,
): Promise<Outcomes> => {
  const job = await importAndWait(
    operator,
    villageCode,
    { commitmentId, rows: workers.map((w) => ({ nik: w.nik, name: w.name, startPeriod: w.startPeriod })) },
    { idempotencyKey: `demo-${commitmentId}-${villageCode}-${p}` },
  );
  const outcomes: Outcomes = new Map(Object.entries(job.byCode));
  if (job.rows.enrolled > 0) outcomes.set('created', job.rows.enrolled);
  return outcomes;
};

/**
 * One village's operator enrolls the month's few workers one by one, as at the form: each with an
 * Idempotency-Key of its own, so a request retried after a lost answer is answered, not enrolled again.
 */
const enrollOneByOne = async (
  { commitmentId }: YearCommitment,
  operator: LindungClient,
  villageCode: string,
  workers: readonly PlannedWorker[],
): Promise<Outcomes> => {
  const outcomes: Outcomes = new Map();
  for (const w of workers) {
    const outcome = await operator
      .post(
        `/v1/villages/${encodeURIComponent(villageCode)}/enrollments`,
        { commitmentId, worker: { nik: w.nik, name: w.name }, startPeriod: w.startPeriod },
        { headers: { 'idempotency-key': `demo-${commitmentId}-${w.nik}` }, attempts: 3 },
      )
      .then(
        () => 'created',
        (error: unknown) => {
          if (error instanceof ApiProblemError && error.status < 500) return error.code;
          throw error;
        },
      );
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return outcomes;
};

/**
 * A village's month as the plan decides it: how many created, how many refused and why. Which of a month's
 * workers meets the full quota is not fixed (an import's rows run concurrently), but they all cost the same,
 * so the counts are what the plan decides.
 */
const checkedAgainstPlan = (
  run: YearRun,
  where: string,
  outcomes: Outcomes,
  workers: readonly PlannedWorker[],
): Outcomes => {
  const planned: Outcomes = new Map();
  for (const w of workers) planned.set(w.expect, (planned.get(w.expect) ?? 0) + 1);
  const said = JSON.stringify([...outcomes].sort());
  if (said !== JSON.stringify([...planned].sort())) {
    run.problems.push(`${where}: answered ${said}, planned ${JSON.stringify([...planned].sort())}`);
  }
  return outcomes;
};

/**
 * Rolls a period and waits until every village is `done` with it. The roll is idempotent: when its answer is a
 * 5xx (a loaded machine can outlast the API's 29 s while it queues 1,585 units), rolling again queues the same
 * units, which change nothing twice.
 */
const rollMonth = async (
  run: YearRun,
  commitment: YearCommitment,
  p: Period,
  done: (a: AllocationRow) => boolean,
) => {
  const admin = await run.admin();
  await retrying(() => admin.post(`/v1/periods/${p}/roll`, {}), {
    attempts: 5,
    retryIf: (error) => {
      const again = error instanceof ApiProblemError && error.status >= 500;
      if (again) run.log(`  the roll of ${p} answered ${error.status} ${error.code}; rolling again`);
      return again;
    },
  });
  // The roll has queued its work when it answers; the queues run dry once every village is rolled and
  // billing has acknowledged and paid (before the next month: three unpaid months lapse coverage).
  // Watching the queues costs DynamoDB Local nothing; the allocations are read once they are dry.
  const progress = throttled(run.log);
  await waitFor(`the roll of ${p} and its billing`, async () => {
    const { pending } = await queueDepths(run);
    progress(() => `  ${p}: ${pending.toLocaleString('id-ID')} messages of renewal work and billing pending`);
    if (pending > 0) return false;
    return (await allAllocations(commitment)).every(done);
  });
};

/** 3. December rolled: every worker enrolled is still covered, the leftover quota not yet released. */
const compareDecember = async (run: YearRun, commitment: YearCommitment, screenshotDir: string) => {
  const lastWriteAt = Date.now();
  const figures = await readLedgerFigures(run, commitment);
  const moment = `${period(run.year, 12)}, before the year closes`;
  return compareThree(run, commitment, screenshotDir, { moment, tag: 'December', figures, lastWriteAt });
};

/** 4. Year end: January's roll closes the year and releases what each village did not spend. */
const closeTheYear = async (run: YearRun, commitment: YearCommitment): Promise<number> => {
  await run.recorder.phase('close the year', async () => {
    await rollMonth(run, commitment, period(run.year + 1, 1), (a) => a.status === 'closed');
    return { counts: { villages: run.villageCodes.length } };
  });
  const closedAt = Date.now();
  run.log(`Year ${run.year} closed`);
  return closedAt;
};

/** 6. After the year: the dashboard's totals equal the API's and the ledger's, to the rupiah. */
const compareClosed = (
  run: YearRun,
  commitment: YearCommitment,
  screenshotDir: string,
  figures: Figures,
  lastWriteAt: number,
) =>
  compareThree(run, commitment, screenshotDir, {
    moment: `${run.year} closed`,
    tag: 'closed',
    figures,
    lastWriteAt,
  });

/** The run's figures; a projector that gave up on records is one more problem. */
const yearResult = (
  { year, villageCodes, recorder, stack, problems }: YearRun,
  concurrency: number,
  summary: YearSummary,
  dashboard: readonly DashboardCheck[],
): YearResult => {
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
    summary,
    projector: projector && { ...projector },
    queueConsumers: Object.fromEntries(
      Object.entries(stack.queueConsumers).map(([id, stats]) => [id, { ...stats }]),
    ),
    dashboard,
    problems,
  };
};

/** A failure of the run, saying in which phase (and with the API's code when the API refused). */
const whereItFailed = (error: unknown, recorder: PhaseRecorder): Error => {
  const where = recorder.running ? ` during "${recorder.running}"` : '';
  if (error instanceof ApiProblemError) {
    return new Error(`the API answered ${error.status} ${error.code}${where}: ${error.message}`, {
      cause: error,
    });
  }
  return new Error(`${error instanceof Error ? error.message : String(error)}${where}`, { cause: error });
};
