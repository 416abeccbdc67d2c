/**
 * Chaos (issue 14): a 10-village year on the local stack as `npm start` runs it, killed with `kill -9` of
 * the whole process tree at points a seed chooses, restarted on the same data folder each time with no
 * manual step. The year must end exactly as a clean run does. Set LINDUNG_CHAOS_SEED to replay a run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  InvoiceRepository,
  LedgerRepository,
  ledgerTable,
  tableName,
} from '@lindung/store';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_REGION, LOCAL_STAGE } from '../../packages/local/src/stack.js';
import { caller } from '../support/api-client.js';
import { type ChildStack, dynamoDbProcessesOf, startChildStack } from '../support/child-stack.js';
import { eventually } from '../support/local-stack.js';
import { canonicalDump, plannedWorkers, type Repositories, villages } from '../support/roll-scenario.js';

const YEAR = 2034;
const CODES = villages(10);
const WORKERS = plannedWorkers(CODES, YEAR);
const KILLS = 8;
const period = (month: number) => `${YEAR}-${String(month).padStart(2, '0')}`;

/** mulberry32: the same seed chooses the same kill points. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const repositoriesOf = (child: ChildStack): Repositories => {
  const db = documentClient(
    new DynamoDBClient({
      endpoint: child.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const table = tableName(LOCAL_STAGE, ledgerTable);
  return {
    db,
    tableName: table,
    commitments: new CommitmentRepository(db, table),
    enrollments: new EnrollmentRepository(db, table),
    invoices: new InvoiceRepository(db, table),
    ledger: new LedgerRepository(db, table),
  };
};

/** One request of the year, answered before the next; `roll` steps are followed by a wait for the roll. */
interface Step {
  readonly label: string;
  readonly month?: number;
  run(child: ChildStack, state: { commitmentId: string; ids: Map<string, string> }): Promise<void>;
}

const steps = (): Step[] => {
  const list: Step[] = [
    {
      label: 'sponsor, commitment and approval',
      run: async (child, state) => {
        const admin = await caller(child.stack, { roles: ['admin'], sub: 'admin' });
        const sponsor = await admin.post('/v1/sponsors', {
          name: 'Provinsi Jambi',
          kind: 'province',
          regionCode: '15',
        });
        expect(sponsor.status).toBe(201);
        const as = (role: string) =>
          caller(child.stack, { roles: [role], sponsorId: sponsor.body.id, sub: role });
        const draft = await (await as('sponsor-officer')).post('/v1/commitments', {
          sponsorId: sponsor.body.id,
          fiscalYear: YEAR,
          budget: { kind: 'fixed', amount: 10_000_000 * CODES.length },
          benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
          allocation: { method: 'equal', villages: CODES },
        });
        expect(draft.status).toBe(201);
        const approved = await (await as('sponsor-approver')).post(
          `/v1/commitments/${draft.body.id}/approve`,
          {},
        );
        expect(approved.status).toBe(200);
        state.commitmentId = draft.body.id;
      },
    },
  ];
  for (let month = 1; month <= 12; month++) {
    for (const w of WORKERS.filter((x) => x.startMonth === month)) {
      list.push({
        label: `enroll ${w.nik.slice(-4)} in ${period(month)}`,
        run: async (child, state) => {
          const operator = await caller(child.stack, { roles: ['village-operator'], villageCodes: CODES });
          const answer = await operator.post(`/v1/villages/${w.villageCode}/enrollments`, {
            commitmentId: state.commitmentId,
            worker: { nik: w.nik },
            startPeriod: period(w.startMonth),
          });
          expect(answer.status, JSON.stringify(answer.body)).toBe(201);
          state.ids.set(w.nik, answer.body.id);
        },
      });
    }
    for (const w of WORKERS.filter((x) => x.terminateFromMonth === month)) {
      list.push({
        label: `terminate ${w.nik.slice(-4)} from ${period(month)}`,
        run: async (child, state) => {
          const operator = await caller(child.stack, { roles: ['village-operator'], villageCodes: CODES });
          const answer = await operator.post(`/v1/enrollments/${state.ids.get(w.nik)}/terminate`, {
            fromPeriod: period(month),
          });
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        },
      });
    }
    list.push({
      label: `roll ${period(month)}`,
      month,
      run: async (child) => {
        const admin = await caller(child.stack, { roles: ['admin'], sub: 'admin' });
        expect((await admin.post(`/v1/periods/${period(month)}/roll`, {})).status).toBe(202);
      },
    });
  }
  return list;
};

/** Every village rolled through the month and none of its invoices still waiting for billing. */
const monthDone = (child: ChildStack, commitmentId: string, month: number) =>
  eventually(
    async () => {
      const repos = repositoriesOf(child);
      for (const a of await repos.commitments.allAllocations(commitmentId)) {
        if ((a as { rolledThrough?: string }).rolledThrough !== period(month)) return undefined;
        for (let m = 1; m <= month; m++) {
          const invoice = await repos.invoices.getByKey(commitmentId, a.villageCode, period(m));
          if (invoice && invoice.status !== 'paid') return undefined;
        }
      }
      return true;
    },
    { timeoutMs: 180_000, what: `${period(month)} rolled and paid` },
  );

const started: ChildStack[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) await child.killHard();
  }
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** Runs the year on a fresh data folder, killing the stack after the steps in `killAfter`. */
const runYear = async (killAfter: ReadonlySet<number>) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lindung-chaos-'));
  folders.push(dataDir);
  let child = await startChildStack(dataDir);
  started.push(child);
  const state = { commitmentId: '', ids: new Map<string, string>() };
  const plan = steps();
  for (const [index, step] of plan.entries()) {
    await step.run(child, state);
    if (killAfter.has(index)) {
      // Right after the answer: for a roll, its units and the billing messages are queued or in flight.
      await child.killHard();
      await eventually(async () => ((await dynamoDbProcessesOf(dataDir)).length === 0 ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the killed run’s DynamoDB Local to exit',
      });
      child = await startChildStack(dataDir);
      started.push(child);
    }
    if (step.month !== undefined) await monthDone(child, state.commitmentId, step.month);
  }
  const dump = await canonicalDump(repositoriesOf(child), state.commitmentId, YEAR);
  child.interrupt();
  expect(await child.exited).toEqual({ code: 0, signal: null });
  expect(await dynamoDbProcessesOf(dataDir)).toEqual([]);
  return { dump, plan };
};

describe('the local stack under kill -9 chaos', { timeout: 3_600_000 }, () => {
  it(`ends a 10-village year killed at ${KILLS} seeded points exactly as a clean run`, async () => {
    // Prepare
    const seed = Number(process.env.LINDUNG_CHAOS_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    const count = steps().length;
    const killAfter = new Set<number>();
    while (killAfter.size < KILLS) killAfter.add(Math.floor(next() * count));
    const clean = await runYear(new Set());

    // Act
    const chaos = await runYear(killAfter);

    // Assess
    const points = [...killAfter].sort((a, b) => a - b).map((i) => `after #${i} ${chaos.plan[i]?.label}`);
    console.info(`chaos seed ${seed} (LINDUNG_CHAOS_SEED=${seed} replays it); kill -9 ${points.join('; ')}`);
    expect(chaos.dump.dump.some((line) => line.startsWith('invoice '))).toBe(true);
    expect(chaos.dump.dump.filter((line) => line.startsWith('invoice ') && !line.includes('"paid"'))).toEqual(
      [],
    );
    expect(chaos.dump).toEqual(clean.dump);
  });
});
