/**
 * The embedded stack as an operator runs it (`npm start` on a data folder), killed the hard way (issue 14):
 * queued work survives `kill -9` of the whole process tree, no DynamoDB Local JVM outlives Lindung, a JVM
 * orphaned by an earlier crash is stopped at the next start, and one Ctrl-C is one clean stop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CommitmentRepository,
  documentClient,
  InvoiceRepository,
  ledgerTable,
  tableName,
} from '@lindung/store';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/preflight.js';
import { LOCAL_REGION, LOCAL_STAGE } from '../../packages/local/src/stack.js';
import { type Caller, caller } from '../support/api-client.js';
import { type ChildStack, dynamoDbProcessesOf, startChildStack } from '../support/child-stack.js';
import { eventually } from '../support/local-stack.js';
import { villages } from '../support/roll-scenario.js';
import { commitmentDraft, sponsorWithStaff } from '../support/scenario.js';

const YEAR = 2033;
const PERIOD = `${YEAR}-01`;
/** Villages of Kota Jambi, two workers each. */
const CODES = villages(8);
const nik = (serial: number) =>
  `157102${String(1 + (serial % 28)).padStart(2, '0')}0690${String(serial).padStart(4, '0')}`;

const started: ChildStack[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) await child.killHard();
  }
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

const dataFolder = async () => {
  const folder = await mkdtemp(join(tmpdir(), 'lindung-crash-'));
  folders.push(folder);
  return folder;
};

const start = async (dataDir: string, args: readonly string[] = []) => {
  const child = await startChildStack(dataDir, args);
  started.push(child);
  return child;
};

const repositoriesOf = (child: ChildStack) => {
  const db = documentClient(
    new DynamoDBClient({
      endpoint: child.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const table = tableName(LOCAL_STAGE, ledgerTable);
  return { commitments: new CommitmentRepository(db, table), invoices: new InvoiceRepository(db, table) };
};

/** A sponsor with an approved commitment over CODES and two workers enrolled in each village from PERIOD. */
const sponsorWithWorkers = async (child: ChildStack): Promise<{ admin: Caller; commitmentId: string }> => {
  const admin = await caller(child.stack, { roles: ['admin'], sub: 'admin' });
  const { sponsorId, officer, approver } = await sponsorWithStaff(child.stack);
  const draft = await officer.post(
    '/v1/commitments',
    commitmentDraft(sponsorId, { villages: CODES, fiscalYear: YEAR }),
  );
  expect(draft.status).toBe(201);
  const draftId: string = draft.body.id;
  const approved = await approver.post(`/v1/commitments/${draftId}/approve`, {});
  expect(approved.status).toBe(200);
  const operator = await caller(child.stack, { roles: ['village-operator'], villageCodes: CODES });
  for (const [i, code] of CODES.entries()) {
    for (const serial of [2 * i + 1, 2 * i + 2]) {
      const enrolled = await operator.post(`/v1/villages/${code}/enrollments`, {
        commitmentId: draftId,
        worker: { nik: nik(serial) },
        startPeriod: PERIOD,
      });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    }
  }
  return { admin, commitmentId: draftId };
};

/** Villages not yet rolled through PERIOD or whose invoice for it is not paid. */
const unfinished = async (child: ChildStack, commitmentId: string): Promise<string[]> => {
  const repos = repositoriesOf(child);
  const allocations = await repos.commitments.allAllocations(commitmentId);
  const open: string[] = [];
  for (const a of allocations) {
    const rolled = (a as { rolledThrough?: string }).rolledThrough === PERIOD;
    const invoice = await repos.invoices.getByKey(commitmentId, a.villageCode, PERIOD);
    if (!rolled || invoice?.status !== 'paid')
      open.push(`${a.villageCode}:${rolled ? 'rolled' : 'not rolled'}:${invoice?.status}`);
  }
  return open;
};

const noDynamoDbLeft = (dataDir: string) =>
  eventually(async () => ((await dynamoDbProcessesOf(dataDir)).length === 0 ? true : undefined), {
    timeoutMs: 30_000,
    what: `every DynamoDB Local process on ${dataDir} to exit`,
  });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the local stack killed with kill -9', { timeout: 600_000 }, () => {
  it('finishes a roll killed mid-way after a restart on the same data folder: every village rolled, every invoice paid', async () => {
    // Prepare
    const dataDir = await dataFolder();
    const first = await start(dataDir);
    const { admin, commitmentId } = await sponsorWithWorkers(first);

    // Act: roll, and kill -9 npm, its shell and node together while the roll's units are queued
    expect((await admin.post(`/v1/periods/${PERIOD}/roll`, {})).status).toBe(202);
    const openAtKill = await unfinished(first, commitmentId);
    await first.killHard();
    await noDynamoDbLeft(dataDir);
    const second = await start(dataDir);

    // Assess
    expect(openAtKill.length).toBeGreaterThan(0); // the kill did interrupt the roll
    const open = await eventually(
      async () => ((await unfinished(second, commitmentId)).length === 0 ? [] : undefined),
      { timeoutMs: 120_000, what: 'every village rolled and every invoice paid after the restart' },
    );
    expect(open).toEqual([]);
    console.info(
      `kill -9 mid-roll: ${openAtKill.length} of ${CODES.length} villages unfinished at the kill, all finished after the restart`,
    );

    // Act: one Ctrl-C, delivered as a terminal does (to npm, its shell and node), npm forwarding its copy
    second.interrupt();

    // Assess: a clean stop, exit 0, no JVM, and the stop ran once to its end
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(await dynamoDbProcessesOf(dataDir)).toEqual([]);
    expect(second.output().match(/finishing work in progress/g)).toHaveLength(1);
    expect(second.output()).toContain('stopped; data is consistent.');
    expect(second.output()).not.toContain('forced exit');
  });

  it('stops at start a JVM orphaned by an earlier crash that also took its watchdog, and reuses its port', async () => {
    // Prepare: a crash that leaves DynamoDB Local running on a fixed port
    const dataDir = await dataFolder();
    const port = await freePort();
    const first = await start(dataDir, ['--dynamodb-port', String(port)]);
    const processes = await dynamoDbProcessesOf(dataDir);
    const jvm = processes.find((p) => p.args.startsWith('java'));
    expect(jvm).toBeDefined();
    for (const watchdog of processes.filter((p) => p !== jvm)) process.kill(watchdog.pid, 'SIGKILL');
    await first.killHard();
    expect(isAlive(jvm?.pid ?? 0)).toBe(true);

    // Act
    const second = await start(dataDir, ['--dynamodb-port', String(port)]);

    // Assess
    expect(second.output()).toContain(`stopped DynamoDB Local (pid ${jvm?.pid})`);
    expect(isAlive(jvm?.pid ?? 0)).toBe(false);
    expect((await fetch(`${second.stack.httpUrl}/health`)).status).toBe(200);
    second.interrupt();
    expect(await second.exited).toEqual({ code: 0, signal: null });
    await noDynamoDbLeft(dataDir);
  });
});
