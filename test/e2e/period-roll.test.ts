/**
 * The period roll through the local stack (issue 5): a sponsor's year over 20 villages rolled month by
 * month through the HTTP API, the renewal-work queue, the renewal worker, the invoice-numbering queue and
 * worker, the billing-outbox queue, the BPJS billing simulator and the billing-inbox consumer; then rolled
 * again, and run once more with faults.
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { invoiceNumberingQueue, queueUrlEnvName } from '@lindung/messaging';
import {
  alertKey,
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  InvoiceRepository,
  LedgerRepository,
} from '@lindung/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller } from '../support/api-client.js';
import { inProcessWorker as workerOn } from '../support/in-process-worker.js';
import {
  eventually,
  localClients,
  localStack,
  queuedWorkTimeoutMs,
  queuesIdle as waitForIdleQueues,
} from '../support/local-stack.js';
import {
  canonicalDump,
  expectedLines,
  MONTHLY_PREMIUM,
  type PlannedWorker,
  plannedWorkers,
  type Repositories,
  villages,
} from '../support/roll-scenario.js';

const stack = localStack();
const clients = localClients(stack);
const tableName = stack.tables.ledger?.name ?? '';
const db = documentClient(clients.dynamodb);
const repos: Repositories = {
  db,
  tableName,
  commitments: new CommitmentRepository(db, tableName),
  enrollments: new EnrollmentRepository(db, tableName),
  invoices: new InvoiceRepository(db, tableName),
  ledger: new LedgerRepository(db, tableName),
};
const inProcessWorker = () => workerOn(db, tableName);
const period = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** A sponsor with an active fixed commitment of Rp 10.000.000 per village for `year`. */
const sponsorYear = async (
  admin: Caller,
  codes: readonly string[],
  year: number,
  perVillage = 10_000_000,
) => {
  const sponsor = await admin.post('/v1/sponsors', {
    name: `Provinsi Jambi ${year}`,
    kind: 'province',
    regionCode: '15',
  });
  const officer = await caller(stack, {
    roles: ['sponsor-officer'],
    sponsorId: sponsor.body.id,
    sub: `officer-${year}`,
  });
  const approver = await caller(stack, {
    roles: ['sponsor-approver'],
    sponsorId: sponsor.body.id,
    sub: `approver-${year}`,
  });
  const commitment = async (fiscalYear: number, villagesOf: readonly string[], amount: number) => {
    const draft = await officer.post('/v1/commitments', {
      sponsorId: sponsor.body.id,
      fiscalYear,
      budget: { kind: 'fixed', amount: amount * villagesOf.length },
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      allocation: { method: 'equal', villages: villagesOf },
    });
    expect(draft.status).toBe(201);
    expect((await approver.post(`/v1/commitments/${draft.body.id}/approve`, {})).status).toBe(200);
    return draft.body.id as string;
  };
  return {
    sponsorId: sponsor.body.id as string,
    commitmentId: await commitment(year, codes, perVillage),
    commitment,
  };
};

const queuesIdle = () => waitForIdleQueues(stack, clients.sqs);

const rolledThrough = (commitmentId: string, p: string) =>
  eventually(
    async () => {
      const allocations = await repos.commitments.allAllocations(commitmentId);
      return allocations.every((a) => (a as { rolledThrough?: string }).rolledThrough === p)
        ? true
        : undefined;
    },
    { timeoutMs: queuedWorkTimeoutMs, what: `every village rolled through ${p}` },
  );

/**
 * Enrolls and terminates the planned workers month by month, calling `roll` for each month after the
 * month's enrollments and terminations.
 */
const liveYear = async (
  year: number,
  commitmentId: string,
  workers: readonly PlannedWorker[],
  roll: (p: string) => Promise<void>,
  months = 12,
) => {
  const operator = await caller(stack, {
    roles: ['village-operator'],
    villageCodes: [...new Set(workers.map((w) => w.villageCode))],
  });
  const ids = new Map<string, string>();
  for (let month = 1; month <= months; month++) {
    for (const w of workers.filter((x) => x.startMonth === month)) {
      const answer = await operator.post(`/v1/villages/${w.villageCode}/enrollments`, {
        commitmentId,
        worker: { nik: w.nik },
        startPeriod: period(year, month),
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      ids.set(w.nik, answer.body.id);
    }
    for (const w of workers.filter((x) => x.terminateFromMonth === month)) {
      const answer = await operator.post(`/v1/enrollments/${ids.get(w.nik)}/terminate`, {
        fromPeriod: period(year, month),
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ returned: (13 - month) * MONTHLY_PREMIUM, released: 0 });
    }
    await roll(period(year, month));
  }
  return ids;
};

/** A NIK of a Jambi man born in 1990, serial `serial`. */
const plannedNik = (serial: number) =>
  `157101${String(1 + (serial % 28)).padStart(2, '0')}0690${String(serial).padStart(4, '0')}`;

describe('the period roll through the local stack', { timeout: 300_000 }, () => {
  const codes = villages(20);
  const workers = (year: number) => plannedWorkers(codes, year);
  const expected = expectedLines(workers(2031));
  let admin: Caller;
  let clean: Awaited<ReturnType<typeof canonicalDump>>;

  beforeAll(async () => {
    admin = await caller(stack, { roles: ['admin'], sub: 'admin' });
  });

  it('rolls a year of 20 villages: one line per covered worker-month, totals = spent, the ledger reconciles', async () => {
    // Prepare
    const year = 2031;
    const { commitmentId } = await sponsorYear(admin, codes, year);

    // Act
    await liveYear(year, commitmentId, workers(year), async (p) => {
      expect((await admin.post(`/v1/periods/${p}/roll`, {})).status).toBe(202);
      await rolledThrough(commitmentId, p);
      // Numbering and billing answer after the renewals; a month is long enough for them, the test waits
      // (three invoices unanswered would lapse the coverage).
      await queuesIdle();
    });
    await queuesIdle();

    // Assess
    const allocations = await repos.commitments.allAllocations(commitmentId);
    const lines: string[] = [];
    let invoiceCount = 0;
    let invoiceTotal = 0;
    for (const a of allocations) {
      for (let month = 1; month <= 12; month++) {
        const invoice = await repos.invoices.getByKey(commitmentId, a.villageCode, period(year, month));
        if (!invoice) continue;
        invoiceCount++;
        invoiceTotal += invoice.total;
        const stored = await repos.invoices.storedLines(invoice);
        expect(stored.reduce((s, l) => s + l.premium, 0)).toBe(invoice.total);
        expect(invoice.status).toBe('paid');
        expect(invoice.dueDate).toBe(`${period(year, month)}-15`);
        lines.push(...stored.map((l) => `${l.nik}@${month}`));
      }
      const reconciliation = await repos.ledger.reconcile(a);
      expect(reconciliation.problems, a.villageCode).toEqual([]);
    }
    const spent = allocations.reduce((s, a) => s + a.spent, 0);
    expect(invoiceCount).toBe(expected.invoices.size);
    expect(invoiceTotal).toBe(expected.total);
    expect(spent).toBe(expected.total);
    expect(lines.length).toBe(new Set(lines).size); // no worker-month twice
    expect(new Set(lines)).toEqual(expected.lines);
    const reserved = allocations.reduce((s, a) => s + a.reserved, 0);
    expect(reserved).toBe(0); // every reserved month was either spent or released
    clean = await canonicalDump(repos, commitmentId, year);
    expect(clean.numbers).toEqual(Array.from({ length: invoiceCount }, (_, i) => i + 1)); // gap-free
    console.info(
      `year roll: ${allocations.length} villages, ${workers(year).length} workers, ${invoiceCount} invoices, ${lines.length} worker-months, Rp ${invoiceTotal.toLocaleString('id-ID')}`,
    );

    // Act again: the same year rolled a second time changes nothing.
    for (let month = 1; month <= 12; month++) {
      expect((await admin.post(`/v1/periods/${period(year, month)}/roll`, {})).status).toBe(202);
    }
    await queuesIdle();

    // Assess
    expect(await canonicalDump(repos, commitmentId, year)).toEqual(clean);
  });

  it('ends in exactly the same state when every unit is delivered twice, writes fail, responses get lost', async () => {
    // Prepare: the renewal worker runs in this process, on an SDK client that misbehaves on purpose.
    const year = 2032;
    const { commitmentId } = await sponsorYear(admin, codes, year);
    const worker = await inProcessWorker();
    const faults = worker.injectFaults(20_321);

    // Act: the same year, each unit delivered twice, failed ones redelivered like SQS would.
    await liveYear(year, commitmentId, workers(year), async (p) => {
      await worker.rollAndDeliverTwice(p);
      await queuesIdle();
    });
    faults.stop();
    await queuesIdle();
    await eventually(
      async () =>
        (await canonicalDump(repos, commitmentId, year)).dump.some((line) =>
          /"(issued|sent|acknowledged)"/.test(line),
        )
          ? undefined
          : true,
      { what: 'billing to pay every invoice' },
    );

    // Assess
    expect(faults.injected.throttled).toBeGreaterThan(0);
    expect(faults.injected.lostResponses).toBeGreaterThan(0);
    expect(worker.redeliveries()).toBeGreaterThan(0);
    const faulty = await canonicalDump(repos, commitmentId, year);
    expect(faulty).toEqual(clean);
    console.info(
      `faulty roll: ${faults.injected.throttled} throttled calls, ${faults.injected.lostResponses} lost responses, ${worker.redeliveries()} redeliveries; state identical to the clean run`,
    );
  });

  it('costs the same writes per village in a steady month, and to close the year, for 10 or 40 workers', async () => {
    // Prepare
    const year = 2035;
    const [small = '', large = ''] = villages(2);
    const { commitmentId } = await sponsorYear(admin, [small, large], year, 201_600 * 40);
    const steady: PlannedWorker[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ villageCode: small, nik: plannedNik(i), startMonth: 1 })),
      ...Array.from({ length: 40 }, (_, i) => ({
        villageCode: large,
        nik: plannedNik(100 + i),
        startMonth: 1,
      })),
    ];
    const worker = await inProcessWorker();
    const writes: Record<string, number[]> = {};

    // Act
    await liveYear(year, commitmentId, steady, async (p) => {
      const counted = worker.countWrites();
      // Batches of five, as the queue delivers them: no two villages' renewals write the same item (the
      // invoice number comes from the numbering worker), so no count includes a retry after a race.
      await worker.rollAndDeliverTwice(p, { once: true });
      for (const [village, n] of Object.entries(counted.stop()))
        writes[village] = [...(writes[village] ?? []), n];
      // Numbering and billing answer asynchronously; a month is long enough for them, the test waits.
      await queuesIdle();
    });

    const counted = worker.countWrites();
    await worker.rollAndDeliverTwice(period(year + 1, 1), { once: true, batchSize: 1, commitmentId });
    const close = counted.stop();

    // Assess: after January, every month writes the same few requests per village, whatever its size.
    const february = [writes[small]?.[1], writes[large]?.[1]];
    expect(february[0]).toBe(february[1]);
    expect(new Set([...(writes[small] ?? []).slice(1), ...(writes[large] ?? []).slice(1)])).toEqual(
      new Set([february[0]]),
    );
    // The close ends every running coverage by closing the allocation: no write per worker.
    expect((await repos.commitments.allAllocations(commitmentId)).map((a) => a.status)).toEqual([
      'closed',
      'closed',
    ]);
    expect(close[small]).toBe(close[large]);
    expect(close[small]).toBeLessThanOrEqual(3);
    const ended = await repos.enrollments.ofAllocation(commitmentId, large);
    expect(new Set(ended.map((e) => `${e.status} ${e.endReason} ${e.endPeriod}`))).toEqual(
      new Set([`expired fiscal-year-end ${period(year + 1, 1)}`]),
    );
    console.info(
      `writes per village per period roll (requests): 10 workers ${writes[small]?.join(' ')}; 40 workers ${writes[large]?.join(' ')}; the close ${close[small]} and ${close[large]}`,
    );
  });

  it('carries coverage into the next year where the quota allows and expires it where it does not', async () => {
    // Prepare: 3 full-year workers in each of two villages; next year's commitment covers one village for 2.
    const year = 2033;
    const [kept = '', dropped = ''] = villages(2);
    const { commitmentId, commitment } = await sponsorYear(admin, [kept, dropped], year);
    const yearWorkers: PlannedWorker[] = [kept, dropped].flatMap((villageCode, v) =>
      Array.from({ length: 3 }, (_, i) => ({
        villageCode,
        nik: plannedNik(200 + v * 10 + i),
        startMonth: 1,
      })),
    );
    await liveYear(year, commitmentId, yearWorkers, async (p) => {
      expect((await admin.post(`/v1/periods/${p}/roll`, {})).status).toBe(202);
      await rolledThrough(commitmentId, p);
    });
    const nextCommitmentId = await commitment(year + 1, [kept], 2 * 201_600);

    // Act
    expect((await admin.post(`/v1/periods/${period(year + 1, 1)}/roll`, {})).status).toBe(202);
    await rolledThrough(nextCommitmentId, period(year + 1, 1));
    await eventually(
      async () =>
        (await repos.commitments.allAllocations(commitmentId)).every((a) => a.status === 'closed')
          ? true
          : undefined,
      { what: 'the old year to close' },
    );
    await queuesIdle();

    // Assess
    const keptOld = await repos.enrollments.ofAllocation(commitmentId, kept);
    const droppedOld = await repos.enrollments.ofAllocation(commitmentId, dropped);
    const carried = await repos.enrollments.ofAllocation(nextCommitmentId, kept);
    expect(keptOld.map((e) => e.endReason).sort()).toEqual([
      'carried-over',
      'carried-over',
      'fiscal-year-end',
    ]);
    expect(droppedOld.map((e) => e.endReason)).toEqual([
      'fiscal-year-end',
      'fiscal-year-end',
      'fiscal-year-end',
    ]);
    expect(carried).toHaveLength(2);
    expect(carried.every((e) => e.startPeriod === period(year + 1, 1) && e.carriedFrom)).toBe(true);
    const january = await repos.invoices.getByKey(nextCommitmentId, kept, period(year + 1, 1));
    expect(january?.lineCount).toBe(2);
    expect(january?.total).toBe(2 * MONTHLY_PREMIUM);
    expect((await repos.commitments.require(commitmentId)).status).toBe('closed');
    for (const a of [
      ...(await repos.commitments.allAllocations(commitmentId)),
      ...(await repos.commitments.allAllocations(nextCommitmentId)),
    ]) {
      expect((await repos.ledger.reconcile(a)).problems, a.villageCode).toEqual([]);
    }
    const closed = await repos.commitments.allAllocations(commitmentId);
    expect(closed.every((a) => a.available === 0 && a.reserved === 0)).toBe(true);
    expect(closed.reduce((s, a) => s + a.spent + a.released, 0)).toBe(2 * 10_000_000);
  });

  it('lapses a village whose invoices stay unpaid three months, releases the rest and alerts the sponsor', async () => {
    // Prepare: BPJS billing never gets the invoices, because the worker asks for their numbers where nobody
    // reads: they stay drafts, their money spent and never paid.
    const year = 2036;
    const [village = ''] = villages(1);
    const { commitmentId, sponsorId } = await sponsorYear(admin, [village], year);
    const team: PlannedWorker[] = Array.from({ length: 2 }, (_, i) => ({
      villageCode: village,
      nik: plannedNik(300 + i),
      startMonth: 1,
    }));
    const numberingUrl = queueUrlEnvName(invoiceNumberingQueue);
    const numbering = process.env[numberingUrl];
    const unread = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: 'invoice-numbering-unread.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    const worker = await inProcessWorker();
    // The unit that lapses the village dies after the lapses, before its alert: the alert comes with the retry.
    const beforeAlert = worker.failFirst(
      (command, input) => command === 'PutItemCommand' && JSON.stringify(input).includes('coverage-lapsed'),
    );

    // Act: January to March invoiced and left unpaid, then April and May rolled.
    process.env[numberingUrl] = unread.QueueUrl;
    try {
      await liveYear(
        year,
        commitmentId,
        team,
        (p) => worker.rollAndDeliverTwice(p, { once: true, commitmentId }),
        5,
      );
    } finally {
      process.env[numberingUrl] = numbering;
    }

    // Assess
    const invoices = await Promise.all(
      [1, 2, 3, 4, 5].map((m) => repos.invoices.getByKey(commitmentId, village, period(year, m))),
    );
    expect(invoices.map((i) => i?.total)).toEqual([
      2 * MONTHLY_PREMIUM,
      2 * MONTHLY_PREMIUM,
      2 * MONTHLY_PREMIUM,
      undefined,
      undefined,
    ]);
    expect(invoices.slice(0, 3).every((i) => i?.status !== 'paid')).toBe(true);
    const ended = await repos.enrollments.ofAllocation(commitmentId, village);
    expect(ended.map((e) => [e.status, e.endReason, e.endPeriod])).toEqual([
      ['lapsed', 'unpaid', period(year, 4)],
      ['lapsed', 'unpaid', period(year, 4)],
    ]);
    const { Item: alert } = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: alertKey(sponsorId, period(year, 4), village, 'coverage-lapsed'),
      }),
    );
    expect(beforeAlert.refused()).toBe(1);
    expect(alert).toMatchObject({ workers: 2 });
    const [allocation] = await repos.commitments.allAllocations(commitmentId);
    expect(allocation).toMatchObject({
      spent: 3 * 2 * MONTHLY_PREMIUM,
      reserved: 0,
      released: 9 * 2 * MONTHLY_PREMIUM,
      rolledThrough: period(year, 5),
    });
    expect(allocation && (await repos.ledger.reconcile(allocation)).problems).toEqual([]);
  });
});
