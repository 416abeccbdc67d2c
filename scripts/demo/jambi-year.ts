/**
 * The Jambi BKBK year on the embedded local stack, through the HTTP API as the province and its villages
 * would use it: the province commits 10% of each village's Rp 100.000.000 grant, an approver approves, every
 * village imports its workers month by month until its quota is full, the twelve monthly rolls issue the
 * invoices that the billing simulator acknowledges and pays, and the January roll of the next year closes
 * the year and releases what is left. Then every village is checked against its plan, to the rupiah.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ApiProblemError, LindungClient } from '@lindung/cli';
import { benefitPackage, type Period, periodOf, villagesOf } from '@lindung/core';
import { documentClient, LedgerRepository } from '@lindung/store';
import { type LocalStack, startLocalStack } from '../../packages/local/src/stack.js';
import { childProcessNamed, type PhaseFigures, PhaseRecorder } from './phases.js';
import { JAMBI, jambiVillages, planVillages, startingIn, type VillagePlan } from './workforce.js';

/** Jambi's BKBK rule: 10% of a Rp 100.000.000 grant to every village pays premiums. */
export const GRANT_PER_VILLAGE = 100_000_000;
export const PREMIUM_SHARE_PERCENT = 10;
export const QUOTA_PER_VILLAGE = (GRANT_PER_VILLAGE * PREMIUM_SHARE_PERCENT) / 100;
const BENEFIT = { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 } as const;

export interface YearOptions {
  /** Villages of Jambi to include (default: all 1,585), spread over the province. */
  readonly villages?: number;
  readonly year: number;
  /** Import requests in flight at once (each enrolls its rows 16 at a time on the server). */
  readonly concurrency: number;
  readonly seed?: number;
  /** Progress lines (the demo writes them to stderr). */
  readonly log: (line: string) => void;
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
  /** Every disagreement found between the plan, the counters, the invoices and the ledger. */
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
  try {
    const as = async (claims: Parameters<LocalStack['tokens']['issue']>[0]) =>
      new LindungClient(stack.httpUrl, await stack.tokens.issue(claims));
    const admin = await as({ roles: ['admin'], sub: 'demo-admin' });

    // 1. The province's commitment, drafted by its finance office and approved by someone else.
    const { sponsorId, commitmentId, officer } = await recorder.phase('commit and approve', async () => {
      const sponsor = await admin.post<{ id: string }>('/v1/sponsors', {
        name: 'Pemerintah Provinsi Jambi',
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
      await eachConcurrently(villages, concurrency, async ({ villageCode, workers }) => {
        const operator = operators.get(villageCode) as LindungClient;
        const answer = await operator.post<{ rows: { row: number; status: number; code?: string }[] }>(
          `/v1/villages/${villageCode}/enrollments/import`,
          {
            commitmentId,
            rows: workers.map((w) => ({ nik: w.nik, name: w.name, startPeriod: w.startPeriod })),
          },
          { headers: { 'idempotency-key': `demo-${commitmentId}-${villageCode}-${p}` } },
        );
        // Rows are enrolled concurrently, so which of a month's workers meets the full quota is not fixed;
        // they all cost the same, so the counts are what the plan decides.
        const outcomes = new Map<string, number>();
        for (const result of answer.rows) {
          const outcome = result.status === 201 ? 'created' : (result.code ?? `http-${result.status}`);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
        const planned = new Map<string, number>();
        for (const w of workers) planned.set(w.expect, (planned.get(w.expect) ?? 0) + 1);
        created += outcomes.get('created') ?? 0;
        refusedQuotaFull += outcomes.get('quota-exhausted') ?? 0;
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
      await waitFor(`the roll of ${p} and its billing`, async () => {
        if ((await queueDepths(stack, sqs)).pending > 0) return false;
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
        `${p}: ${created.toLocaleString('id-ID')} workers enrolled in ${villages.toLocaleString('id-ID')} villages (${((enrolledAt - started) / 1000).toFixed(1)} s), rolled and billed in ${((performance.now() - enrolledAt) / 1000).toFixed(1)} s; ${enrolled.toLocaleString('id-ID')} so far`,
      );
    }
    log(
      `Enrollment ${enrollSeconds.toFixed(0)} s in all (${(enrolled / enrollSeconds).toFixed(0)}/s), rolls ${rollSeconds.toFixed(0)} s`,
    );

    // 3. Year end: January's roll closes the year and releases what each village did not spend.
    await recorder.phase('close the year', async () => {
      await rollMonth(period(year + 1, 1), (a) => a.status === 'closed');
      return { counts: { villages: villageCodes.length } };
    });
    log(`Year ${year} closed`);

    // 4. Every village against its plan, its invoices and its ledger.
    const summary = await recorder.phase('check every village', async () => {
      const closed = await allAllocations(officer, commitmentId);
      const invoices = await allInvoices(officer, sponsorId);
      const totals = await officer.get<{ totals: Record<string, number>; budget: number }>(
        `/v1/commitments/${commitmentId}`,
      );
      const ledger = new LedgerRepository(documentClient(dynamodb), stack.tables.ledger?.name ?? '');
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
        const reconciliation = await ledger.reconcile({
          ...a,
          status: a.status as 'active' | 'closed',
        } as Parameters<LedgerRepository['reconcile']>[0]);
        for (const problem of reconciliation.problems) say(`ledger: ${problem}`);
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
      return Object.assign(result, { counts: { villages: closed.length, invoices: invoices.length } });
    });
    const { counts: _counts, ...plain } = summary as YearSummary & { counts?: unknown };
    return {
      year,
      villages: villageCodes.length,
      concurrency,
      phases: recorder.phases,
      peaks: recorder.peaks(),
      summary: plain,
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
