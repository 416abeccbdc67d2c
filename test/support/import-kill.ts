/**
 * A bulk import killed in the middle (issue 14): the local stack runs as `npm start` in a child process, one
 * import job is posted, the whole process tree gets `kill -9` once the job reports at least `killAt` rows
 * done, the stack is started again on the same data folder, and the job is looked at until it is done. Then
 * every row must have exactly one result and the village must hold exactly one enrollment per enrolled row:
 * none lost, none twice. The e2e test and the benchmark (`npm run bench -- --only import --kill-at N`) share it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Schemas } from '@lindung/api-client';
import { LindungClient, mintLocalToken } from '@lindung/cli';
import { documentClient, EnrollmentRepository, ledgerTable, tableName } from '@lindung/store';
import { LOCAL_REGION, LOCAL_STAGE } from '../../packages/local/src/stack.js';
import { type ChildStack, killAndRestart, startChildStack } from './child-stack.js';

type ImportJob = Schemas['ImportJob'];
type ImportJobResults = Schemas['ImportJobResults'];
type ImportRowResult = ImportJobResults['items'][number];

/** A worker's premium for a whole fiscal year (12 × Rp 16.800): what an import row from January reserves. */
const FULL_YEAR_PREMIUM = 201_600;

export interface KilledImportOptions {
  /** The rows to import into `villageCode`, each a worker the quota has room for. */
  readonly rows: readonly { readonly nik: string; readonly startPeriod: string }[];
  readonly villageCode: string;
  readonly fiscalYear: number;
  /** Kill once the job shows at least this many rows done. */
  readonly killAt: number;
  readonly log?: (line: string) => void;
}

export interface KilledImport {
  readonly rows: number;
  /** `rows.done` of the job at the last look before the kill. */
  readonly doneAtKill: number;
  /** From the post to the kill. */
  readonly secondsToKill: number;
  /** From the kill to the restarted stack's banner. */
  readonly secondsToRestart: number;
  /**
   * From the restarted stack's banner to the first chunk completed after it: mostly the killed worker's lease
   * on the job running out (it holds the job for the worker's timeout, 120 s, from the chunk it began).
   */
  readonly secondsToResume: number;
  /** From the restarted stack's banner to the job's state `done`. */
  readonly secondsAfterRestart: number;
  readonly totalSeconds: number;
  /** Rows with a result per second, over `totalSeconds`. */
  readonly rowsPerSecond: number;
  readonly job: ImportJob;
  /** Per-row results read page by page. */
  readonly results: number;
  /** Enrollments the village holds in the database. */
  readonly enrollments: number;
  /** Every way the job's end disagrees with "each row once, each accepted row one enrollment" (empty if none). */
  readonly problems: readonly string[];
}

const look = (client: LindungClient, jobId: string) =>
  client.get<ImportJob>(`/v1/imports/${encodeURIComponent(jobId)}?limit=1`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every per-row result of a job, page by page. */
const allResults = async (client: LindungClient, jobId: string) => {
  const results: ImportRowResult[] = [];
  let token: string | undefined;
  do {
    const page = await client.get<ImportJobResults>(
      `/v1/imports/${encodeURIComponent(jobId)}?limit=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
    );
    results.push(...page.items);
    token = page.nextPageToken;
  } while (token);
  return results;
};

/** What disagrees between the rows, their results and the enrollments written. */
const problemsOf = (
  rows: number,
  job: ImportJob,
  results: readonly ImportRowResult[],
  enrollments: readonly { id: string; nik: string }[],
) => {
  const problems: string[] = [];
  const rowNumbers = new Set(results.map((r) => r.row));
  if (results.length !== rows || rowNumbers.size !== rows) {
    problems.push(`${results.length} results for ${rowNumbers.size} distinct of ${rows} rows`);
  }
  if (job.rows.done !== rows) problems.push(`the job counts ${job.rows.done} of ${rows} rows done`);
  const enrolledIds = new Set(results.flatMap((r) => (r.outcome === 'enrolled' ? [r.enrollmentId] : [])));
  if (enrolledIds.size !== job.rows.enrolled) {
    problems.push(`${enrolledIds.size} enrolled results with an id, the job counts ${job.rows.enrolled}`);
  }
  if (enrollments.length !== job.rows.enrolled) {
    problems.push(`${enrollments.length} enrollments in the village for ${job.rows.enrolled} rows enrolled`);
  }
  if (new Set(enrollments.map((e) => e.nik)).size !== enrollments.length)
    problems.push('a worker enrolled twice');
  const missing = enrollments.filter((e) => !enrolledIds.has(e.id)).length;
  if (missing > 0) problems.push(`${missing} enrollments no row's result names`);
  return problems;
};

/** Runs the import, kills the stack in its middle, restarts it, and answers the figures and any problem. */
export const importKilledMidway = async ({
  rows,
  villageCode,
  fiscalYear,
  killAt,
  log = () => {},
}: KilledImportOptions): Promise<KilledImport> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lindung-import-kill-'));
  let child: ChildStack | undefined;
  try {
    child = await startChildStack(dataDir);
    const as = async (stack: ChildStack, claims: Parameters<typeof mintLocalToken>[1]) =>
      new LindungClient(stack.stack.httpUrl, await mintLocalToken(stack.stack.httpUrl, claims));
    const admin = await as(child, { roles: ['admin'], sub: 'admin' });
    const { id: sponsorId } = await admin.post<{ id: string }>('/v1/sponsors', {
      name: 'Provinsi Jambi',
      kind: 'province',
      regionCode: '15',
    });
    const officer = await as(child, { roles: ['sponsor-officer'], sponsorId, sub: 'officer' });
    const approver = await as(child, { roles: ['sponsor-approver'], sponsorId, sub: 'approver' });
    const draft = await officer.post<{ id: string }>('/v1/commitments', {
      sponsorId,
      fiscalYear,
      budget: { kind: 'fixed', amount: rows.length * FULL_YEAR_PREMIUM },
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      allocation: { method: 'equal', villages: [villageCode] },
    });
    await approver.post(`/v1/commitments/${draft.id}/approve`, {});
    const operatorClaims = { roles: ['village-operator'], villageCodes: [villageCode], sub: 'operator' };
    let operator = await as(child, operatorClaims);

    const started = performance.now();
    const posted = await operator.post<ImportJob>(
      `/v1/villages/${encodeURIComponent(villageCode)}/enrollments/import`,
      { commitmentId: draft.id, rows },
      { headers: { 'idempotency-key': `import-killed-${draft.id}` } },
    );
    log(`  posted ${rows.length.toLocaleString('id-ID')} rows: job ${posted.id}`);
    let job = await look(operator, posted.id);
    let lastTenth = -1;
    const progress = (since: number, state: string) => {
      const tenth = Math.floor((job.rows.done / job.rows.total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      log(
        `  ${job.rows.done.toLocaleString('id-ID')} rows done after ${((performance.now() - since) / 1000).toFixed(1)} s ${state} (${job.state})`,
      );
    };
    // Looks a quarter second apart: the kill lands within one chunk's work of `killAt`.
    while (job.rows.done < killAt) {
      if (job.state === 'done') throw new Error(`the job finished before ${killAt} rows were done`);
      progress(started, 'from the post');
      await pause(250);
      job = await look(operator, posted.id);
    }
    const doneAtKill = job.rows.done;
    const killed = performance.now();
    log(
      `  kill -9 at ${doneAtKill.toLocaleString('id-ID')} rows done, after ${((killed - started) / 1000).toFixed(1)} s`,
    );
    child = await killAndRestart(child, dataDir);
    const restarted = performance.now();
    operator = await as(child, operatorClaims);
    lastTenth = -1;
    const doneAtRestart = (await look(operator, posted.id)).rows.done;
    let resumed: number | undefined;
    for (;;) {
      job = await look(operator, posted.id);
      progress(restarted, 'from the restart');
      if (resumed === undefined && job.rows.done > doneAtRestart) resumed = performance.now();
      if (job.state === 'done') break;
      await pause(1_000);
    }
    const finished = performance.now();
    const results = await allResults(operator, posted.id);
    const db = documentClient(
      new DynamoDBClient({
        endpoint: child.dynamodbEndpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const enrollments = await new EnrollmentRepository(db, tableName(LOCAL_STAGE, ledgerTable)).ofAllocation(
      draft.id,
      villageCode,
    );
    db.destroy();
    const totalSeconds = (finished - started) / 1000;
    return {
      rows: rows.length,
      doneAtKill,
      secondsToKill: (killed - started) / 1000,
      secondsToRestart: (restarted - killed) / 1000,
      secondsAfterRestart: (finished - restarted) / 1000,
      secondsToResume: ((resumed ?? finished) - restarted) / 1000,
      totalSeconds,
      rowsPerSecond: rows.length / totalSeconds,
      job,
      results: results.length,
      enrollments: enrollments.length,
      problems: problemsOf(rows.length, job, results, enrollments),
    };
  } finally {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      // A graceful stop waits for the reports projector's batch in flight, which can lag a large import by
      // minutes (BENCHMARKS.md section 7): past a minute the data folder is thrown away with a kill instead.
      child.interrupt();
      const stopped = await Promise.race([
        child.exited.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000).unref()),
      ]);
      if (!stopped) await child.killHard();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
};
