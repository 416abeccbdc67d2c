/**
 * Chaos (issue 14): a 10-village year on the local stack as `npm start` runs it, killed with `kill -9` of
 * the whole process tree in the middle of work, at points a seed chooses: while the commitment's approval
 * writes its allocations, while an import job enrolls its rows, while a month's roll has rolled some villages
 * and not all, and while invoices are with billing but not paid. Each time the stack is restarted on the same
 * data folder with no manual step, and a client carries on as a real one would (the approval retried with its
 * Idempotency-Key, the import job looked at until done). The year must end exactly as a clean run does.
 * Set LINDUNG_CHAOS_SEED to replay a run.
 *
 * The moment of each kill is chosen by watching the database until the seeded amount of work is written (e.g.
 * "3 of the 10 allocations"), not by sleeping: the kill is the fault injected, and where it falls is the
 * seed's choice. A kill that comes too late (the work finished between two looks) is reported as such, and
 * the test requires every kind of kill to have struck at least once while its work was unfinished.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ALLOCATION_SK_PREFIX,
  CommitmentRepository,
  commitmentKey,
  documentClient,
  EnrollmentRepository,
  ImportJobRepository,
  InvoiceRepository,
  LedgerRepository,
  ledgerTable,
  tableName,
} from '@lindung/store';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_REGION, LOCAL_STAGE } from '../../packages/local/src/stack.js';
import { type Answer, type Caller, caller } from '../support/api-client.js';
import { type ChildStack, killAndRestart, processesOf, startChildStack } from '../support/child-stack.js';
import { importPath, importResults } from '../support/imports.js';
import { eventually } from '../support/local-stack.js';
import {
  canonicalDump,
  expectedLines,
  plannedWorkers,
  type Repositories,
  villages,
} from '../support/roll-scenario.js';
import { commitmentDraft, sponsorWithStaff } from '../support/scenario.js';

const YEAR = 2034;
const CODES = villages(10);
const WORKERS = plannedWorkers(CODES, YEAR);
/** Kills in all: the approval, the import, and this many minus two rolls and billing runs. */
const KILLS = 8;
/** Workers the import enrolls (the village's quota has room for 44 besides its planned ones). */
const IMPORTED = 36;
/**
 * Broken rows after them, so that the job runs into a second chunk (IMPORT_CHUNK_ROWS, 500): the work left
 * once the first batch of rows is enrolled (the second batch, the first chunk's results, the second chunk)
 * lasts well past a look, so the kill strikes while the job runs rather than after it is done.
 */
const PADDING = 600;
/** Every row of the import: the enrolled ones, a repeated worker and two broken rows, and the padding. */
const IMPORT_ROWS = IMPORTED + 3 + PADDING;
/**
 * Billing pays a second after it acknowledges: the window in which an invoice is sent but not paid, where a
 * mid-billing kill strikes. Both runs bill the same way.
 */
const STACK_ENV = { LINDUNG_BILLING_PAY_DELAY_SECONDS: '1' };
const period = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}`;

/** mulberry32: the same seed chooses the same kill points. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

type Kind = 'approval' | 'import' | 'roll' | 'billing';

/** Where a kill falls: its kind, the month of the roll or billing it hits, and how much work is written first. */
interface KillPoint {
  readonly kind: Kind;
  readonly month?: number;
  /** Allocations written (approval), rows enrolled (import), villages rolled (roll), invoices with billing. */
  readonly after: number;
}

/** The year's import: the month and the village it enrolls workers in. */
interface ImportPlan {
  readonly month: number;
  readonly villageCode: string;
}

/** What a seed chooses. */
interface Plan {
  readonly import: ImportPlan;
  readonly kills: readonly KillPoint[];
}

/** Invoices a month has: one per village with a covered worker, the imported village from the import on. */
const invoicesIn = (month: number, plan: ImportPlan) => {
  const villagesBilled = new Set(
    [...expectedLines(WORKERS).invoices].filter((v) => v.endsWith(`@${month}`)).map((v) => v.split('@')[0]),
  );
  if (month >= plan.month) villagesBilled.add(plan.villageCode);
  return villagesBilled.size;
};

const planOf = (seed: number): Plan => {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const importPlan = { month: 2 + pick(10), villageCode: CODES[pick(CODES.length)] ?? '' };
  const months = Array.from({ length: 12 }, (_, i) => i + 1);
  const chosen: number[] = [];
  while (chosen.length < KILLS - 2) chosen.push(...months.splice(pick(months.length), 1));
  const kinds: Kind[] = chosen.map((_, i) =>
    i === 0 ? 'roll' : i === 1 ? 'billing' : next() < 0.5 ? 'roll' : 'billing',
  );
  return {
    import: importPlan,
    kills: [
      { kind: 'approval', after: pick(4) },
      { kind: 'import', month: importPlan.month, after: 1 + pick(16) },
      ...chosen.map((month, i) =>
        kinds[i] === 'roll'
          ? { kind: 'roll' as const, month, after: 1 + pick(5) }
          : { kind: 'billing' as const, month, after: 1 + pick(Math.min(3, invoicesIn(month, importPlan))) },
      ),
    ],
  };
};

type ChaosRepositories = Repositories & { imports: ImportJobRepository };
/** One set of clients per running stack: the watches look many times a second. */
const repositories = new WeakMap<ChildStack, ChaosRepositories>();

const repositoriesOf = (child: ChildStack): ChaosRepositories => {
  const known = repositories.get(child);
  if (known) return known;
  const db = documentClient(
    new DynamoDBClient({
      endpoint: child.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const table = tableName(LOCAL_STAGE, ledgerTable);
  const repos = {
    db,
    tableName: table,
    commitments: new CommitmentRepository(db, table),
    enrollments: new EnrollmentRepository(db, table),
    invoices: new InvoiceRepository(db, table),
    ledger: new LedgerRepository(db, table),
    imports: new ImportJobRepository(db, table),
  };
  repositories.set(child, repos);
  return repos;
};

/** A NIK of an imported worker; serials from 5001 set them apart from the planned workers in the dump. */
const importedNik = (i: number) =>
  `15710${1 + (i % 5)}${String(1 + (i % 28)).padStart(2, '0')}0791${5001 + i}`;

/** The import's CSV: workers the quota covers, a repeated worker (already covered), broken rows (PADDING). */
const importCsv = (plan: ImportPlan) => {
  const covered = WORKERS.find(
    (w) => w.startMonth < plan.month && w.terminateFromMonth === undefined && w.agesOutMonth === undefined,
  );
  if (!covered) throw new Error(`no worker is covered before ${period(plan.month)}`);
  return [
    'nik,name,startPeriod',
    ...Array.from({ length: IMPORTED }, (_, i) => `${importedNik(i)},Pekerja ${i + 1},${period(plan.month)}`),
    `${covered.nik},Sudah Terdaftar,${period(plan.month)}`,
    `12345,NIK Pendek,${period(plan.month)}`,
    `${importedNik(IMPORTED)},Kolom,Terlalu,Banyak`,
    ...Array.from({ length: PADDING }, (_, i) => `${1000 + i},NIK Pendek ${i + 1},${period(plan.month)}`),
  ].join('\r\n');
};

/** What the kill found in flight, and what the client met after the restart. */
interface Struck {
  readonly point: KillPoint;
  /** The work was unfinished when the kill came. */
  readonly midWork: boolean;
  readonly inFlight: string;
  /** `performance.now()` once the stack was up again. */
  readonly restartedAt: number;
  /** From the restart to the end of the step's work (the client's answer, the job or the month done). */
  readonly healedSeconds?: number;
}

interface Year {
  child: ChildStack;
  readonly dataDir: string;
  readonly plan: ImportPlan;
  commitmentId: string;
  readonly ids: Map<string, string>;
  readonly struck: Struck[];
  /** The import's per-row results without the enrollment ids (those are the job's own). */
  importRows: string[];
}

/** One step of the year; a step with a kill point watches its work and kills the stack in the middle of it. */
interface Step {
  readonly label: string;
  run(year: Year, kill: KillPoint | undefined): Promise<void>;
}

/**
 * Watches `look` (what is written so far, and whether the work has finished) until `point.after` units of it
 * are written, then kills the stack at once and restarts it. Answers what the kill interrupted.
 */
const killWhen = async (
  year: Year,
  point: KillPoint,
  look: () => Promise<{ written: number; finished: boolean; of: number }>,
  what: string,
  intervalMs = 10,
): Promise<Struck> => {
  const deadline = Date.now() + 120_000;
  let seen = await look();
  while (seen.written < point.after && !seen.finished) {
    if (Date.now() > deadline) throw new Error(`${what}: nothing moved for 2 minutes`);
    // A short pause between looks leaves the stack the CPU for the work being watched.
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    seen = await look();
  }
  // The kill follows the last look at once (one kill(2) of the process group). DynamoDB Local's JVM, in a
  // group of its own, follows within a second (its watchdog sees the parent gone): requests it has received
  // by then may still be applied, as by a database that outlives a crashed client.
  year.child = await killAndRestart(year.child, year.dataDir, [], STACK_ENV);
  const restartedAt = performance.now();
  // What the killed run left, as the restarted one first sees it (its consumers may already have moved on).
  const left = await look();
  const struck = {
    point,
    restartedAt,
    midWork: !seen.finished,
    inFlight: `${what}: ${seen.written} of ${seen.of} at the last look before the kill${seen.finished ? ' (finished before the kill: too late)' : ''}, ${left.written}${left.finished ? ' (finished)' : ''} at the first look after the restart`,
  };
  year.struck.push(struck);
  console.info(`kill -9 #${year.struck.length} mid-${point.kind}: ${struck.inFlight}`);
  return struck;
};

/** A client's POST with an Idempotency-Key, retried after a crash: honours 409 in-progress with `Retry-After`. */
const retryWithKey = async (send: () => Promise<Answer>) => {
  const refusals: number[] = [];
  for (;;) {
    const answer = await send();
    if (!(answer.status === 409 && answer.body.code === 'idempotency-in-progress'))
      return { answer, refusals };
    refusals.push(answer.status);
    // The protocol's wait, not a race hidden: the first request's record holds the key until its time is up.
    await new Promise((r) => setTimeout(r, Number(answer.headers.get('retry-after') ?? '1') * 1000));
  }
};

const approvalStep: Step = {
  label: 'sponsor, commitment and approval',
  run: async (year, kill) => {
    const { sponsorId, officer } = await sponsorWithStaff(year.child.stack);
    const draft = await officer.post(
      '/v1/commitments',
      commitmentDraft(sponsorId, { villages: CODES, fiscalYear: YEAR }),
    );
    expect(draft.status).toBe(201);
    const draftId: string = draft.body.id;
    year.commitmentId = draftId;
    // The approver of whichever stack runs now: a kill restarts it on another port.
    const approve = async () =>
      (
        await caller(year.child.stack, { roles: ['sponsor-approver'], sponsorId, sub: 'sponsor-approver' })
      ).post(
        `/v1/commitments/${draftId}/approve`,
        {},
        {
          'idempotency-key': `approve-${draftId}`,
        },
      );
    if (!kill) {
      expect((await approve()).status).toBe(200);
      return;
    }
    const first = approve().then(
      (answer) => `answered ${answer.status}`,
      (error: Error) => `failed (${error.message})`,
    );
    const struck = await killWhen(
      year,
      kill,
      async () => {
        // The commitment and its allocations share a partition: one read sees both, at one moment.
        const repos = repositoriesOf(year.child);
        const { Items = [] } = await repos.db.send(
          new QueryCommand({
            TableName: repos.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': commitmentKey(draftId).pk },
            ConsistentRead: true,
          }),
        );
        const status = Items.find((item) => item.sk === commitmentKey(draftId).sk)?.status;
        const allocations = Items.filter((item) => String(item.sk).startsWith(ALLOCATION_SK_PREFIX)).length;
        return {
          // Nothing is written until the approval has begun (the commitment `activating`).
          written: status === 'draft' ? -1 : allocations,
          finished: status === 'active',
          of: CODES.length,
        };
      },
      'approval: allocations',
      // The approval's window is the shortest: look again at once.
      0,
    );
    const { answer, refusals } = await retryWithKey(approve);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.status).toBe('active');
    year.struck[year.struck.length - 1] = {
      ...struck,
      inFlight: `${struck.inFlight}; the request ${await first}; retried with its Idempotency-Key: ${refusals.length} × 409 in progress, then ${answer.status}`,
    };
  },
};

const importStep = (plan: ImportPlan): Step => ({
  label: `import ${IMPORT_ROWS} rows into ${plan.villageCode} in ${period(plan.month)}`,
  run: async (year, kill) => {
    const operator: Caller = await caller(year.child.stack, {
      roles: ['village-operator'],
      villageCodes: CODES,
      sub: 'operator',
    });
    const post = (as: Caller) =>
      as.send('POST', `${importPath(plan.villageCode)}?commitmentId=${year.commitmentId}`, {
        body: importCsv(plan),
        headers: { 'content-type': 'text/csv', 'idempotency-key': `import-${year.commitmentId}` },
      });
    const posted = await post(operator);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const jobId: string = posted.body.id;
    if (kill) {
      // A job of one chunk shows `rows.done` only when the chunk is complete: the enrollments show it sooner.
      await killWhen(
        year,
        kill,
        async () => {
          const repos = repositoriesOf(year.child);
          const enrolled = (await repos.enrollments.ofAllocation(year.commitmentId, plan.villageCode)).filter(
            (e) => Number(e.nik.slice(-4)) > 5000,
          );
          const job = await repos.imports.get(jobId);
          return { written: enrolled.length, finished: job?.state === 'done', of: IMPORTED };
        },
        `import job: rows enrolled`,
      );
    }
    const restarted = await caller(year.child.stack, {
      roles: ['village-operator'],
      villageCodes: CODES,
      sub: 'operator',
    });
    if (kill) {
      // A client that is not sure its post arrived sends it again: the key names the same job.
      const again = await post(restarted);
      expect(again.status, JSON.stringify(again.body)).toBe(202);
      expect(again.body.id).toBe(jobId);
    }
    // The lease of a killed worker runs out before the job resumes (the worker's timeout, 120 s).
    const { job, rows } = await importResults(restarted, jobId, 300_000);
    expect(job.rows).toMatchObject({ total: IMPORT_ROWS, done: IMPORT_ROWS, enrolled: IMPORTED });
    expect(rows.filter((r) => r.outcome === 'enrolled' && !r.enrollmentId)).toEqual([]);
    year.importRows = rows.map((r) => JSON.stringify([r.row, r.nik, r.outcome, r.status, r.code ?? null]));
  },
});

/** Every village rolled through the month and none of its invoices still waiting for billing. */
const monthDone = (year: Year, month: number) =>
  eventually(
    async () => {
      const repos = repositoriesOf(year.child);
      for (const a of await repos.commitments.allAllocations(year.commitmentId)) {
        if ((a as { rolledThrough?: string }).rolledThrough !== period(month)) return undefined;
        for (let m = 1; m <= month; m++) {
          const invoice = await repos.invoices.getByKey(year.commitmentId, a.villageCode, period(m));
          if (invoice && invoice.status !== 'paid') return undefined;
        }
      }
      return true;
    },
    { timeoutMs: 180_000, what: `${period(month)} rolled and paid` },
  );

const rollStep = (month: number): Step => ({
  label: `roll ${period(month)}`,
  run: async (year, kill) => {
    const admin = await caller(year.child.stack, { roles: ['admin'], sub: 'admin' });
    expect((await admin.post(`/v1/periods/${period(month)}/roll`, {})).status).toBe(202);
    if (kill?.kind === 'roll') {
      await killWhen(
        year,
        kill,
        async () => {
          const allocations = await repositoriesOf(year.child).commitments.allAllocations(year.commitmentId);
          const rolled = allocations.filter(
            (a) => (a as { rolledThrough?: string }).rolledThrough === period(month),
          ).length;
          return { written: rolled, finished: rolled === CODES.length, of: CODES.length };
        },
        `roll of ${period(month)}: villages rolled`,
      );
    } else if (kill?.kind === 'billing') {
      await killWhen(
        year,
        kill,
        async () => {
          const repos = repositoriesOf(year.child);
          const invoices = (
            await Promise.all(CODES.map((v) => repos.invoices.getByKey(year.commitmentId, v, period(month))))
          ).filter((i) => i !== undefined);
          // A draft (not numbered yet) or an issued invoice has not reached billing.
          const beforeBilling = (i: { status: string }) => i.status === 'draft' || i.status === 'issued';
          const withBilling = invoices.filter((i) => !beforeBilling(i));
          const unpaid = invoices.filter((i) => i.status !== 'paid');
          const expected = invoicesIn(month, year.plan);
          return {
            written: unpaid.some((i) => !beforeBilling(i)) ? withBilling.length : 0,
            finished: invoices.length === expected && unpaid.length === 0,
            of: expected,
          };
        },
        `billing of ${period(month)}: invoices sent (not all paid)`,
      );
    }
    await monthDone(year, month);
  },
});

const steps = (plan: ImportPlan): Step[] => {
  const list: Step[] = [approvalStep];
  for (let month = 1; month <= 12; month++) {
    for (const w of WORKERS.filter((x) => x.startMonth === month)) {
      list.push({
        label: `enroll ${w.nik.slice(-4)} in ${period(month)}`,
        run: async (year) => {
          const operator = await caller(year.child.stack, {
            roles: ['village-operator'],
            villageCodes: CODES,
          });
          const answer = await operator.post(`/v1/villages/${w.villageCode}/enrollments`, {
            commitmentId: year.commitmentId,
            worker: { nik: w.nik },
            startPeriod: period(w.startMonth),
          });
          expect(answer.status, JSON.stringify(answer.body)).toBe(201);
          year.ids.set(w.nik, answer.body.id);
        },
      });
    }
    if (month === plan.month) list.push(importStep(plan));
    for (const w of WORKERS.filter((x) => x.terminateFromMonth === month)) {
      list.push({
        label: `terminate ${w.nik.slice(-4)} from ${period(month)}`,
        run: async (year) => {
          const operator = await caller(year.child.stack, {
            roles: ['village-operator'],
            villageCodes: CODES,
          });
          const answer = await operator.post(`/v1/enrollments/${year.ids.get(w.nik)}/terminate`, {
            fromPeriod: period(month),
          });
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        },
      });
    }
    list.push(rollStep(month));
  }
  return list;
};

/** The kill point a step carries, if any. */
const killOf = (step: Step, kills: readonly KillPoint[]) =>
  kills.find((k) =>
    k.kind === 'approval'
      ? step === approvalStep
      : k.kind === 'import'
        ? step.label.startsWith('import ')
        : step.label === `roll ${period(k.month ?? 0)}`,
  );

const started: ChildStack[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) await child.killHard();
  }
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** Runs the year on a fresh data folder, killing the stack at `kills`. */
const runYear = async (plan: Plan, kills: readonly KillPoint[]) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lindung-chaos-'));
  folders.push(dataDir);
  const year: Year = {
    child: await startChildStack(dataDir, [], STACK_ENV),
    dataDir,
    plan: plan.import,
    commitmentId: '',
    ids: new Map(),
    struck: [],
    importRows: [],
  };
  started.push(year.child);
  for (const step of steps(plan.import)) {
    const child = year.child;
    const kill = killOf(step, kills);
    await step.run(year, kill);
    if (year.child !== child) started.push(year.child);
    const struck = kill && year.struck.at(-1);
    if (struck) {
      year.struck[year.struck.length - 1] = {
        ...struck,
        healedSeconds: (performance.now() - struck.restartedAt) / 1000,
      };
    }
  }
  const dump = await canonicalDump(repositoriesOf(year.child), year.commitmentId, YEAR);
  year.child.interrupt();
  expect(await year.child.exited).toEqual({ code: 0, signal: null });
  expect(await processesOf(dataDir)).toEqual([]);
  return { dump, importRows: year.importRows, struck: year.struck };
};

describe('the local stack under kill -9 chaos', { timeout: 3_600_000 }, () => {
  it(`ends a 10-village year killed ${KILLS} times mid-approval, mid-import, mid-roll and mid-billing exactly as a clean run`, async () => {
    // Prepare
    const seed = Number(process.env.LINDUNG_CHAOS_SEED ?? Date.now() % 1_000_000);
    const plan = planOf(seed);
    console.info(
      `chaos seed ${seed} (LINDUNG_CHAOS_SEED=${seed} replays it): import in ${period(plan.import.month)} into ${plan.import.villageCode}; kill -9 ${plan.kills
        .map((k) => `${k.kind}${k.month ? ` ${period(k.month)}` : ''} after ${k.after}`)
        .join(', ')}`,
    );

    // Act: the clean run beside the chaos run (their own data folders and ports), so that its minutes overlap
    // the chaos run's waits for leases and in-progress keys of the killed runs to expire.
    const [clean, chaos] = await Promise.all([runYear(plan, []), runYear(plan, plan.kills)]);

    // Assess
    console.info(
      `chaos seed ${seed}, ${chaos.struck.length} kills:\n${chaos.struck
        .map(
          (s, i) =>
            `  ${i + 1}. mid-${s.point.kind}${s.midWork ? '' : ' (missed)'}: ${s.inFlight}; done ${s.healedSeconds?.toFixed(1)} s after the restart`,
        )
        .join('\n')}`,
    );
    expect(chaos.struck).toHaveLength(KILLS);
    expect(new Set(chaos.struck.filter((s) => s.midWork).map((s) => s.point.kind))).toEqual(
      new Set(['approval', 'import', 'roll', 'billing']),
    );
    expect(chaos.dump.dump.filter((line) => line.startsWith('enrollment ')).length).toBe(
      WORKERS.length + IMPORTED,
    );
    expect(chaos.dump.dump.filter((line) => line.startsWith('invoice ') && !line.includes('"paid"'))).toEqual(
      [],
    );
    expect(chaos.importRows).toHaveLength(IMPORT_ROWS);
    expect(chaos.importRows).toEqual(clean.importRows);
    expect(chaos.dump).toEqual(clean.dump);
  });
});
