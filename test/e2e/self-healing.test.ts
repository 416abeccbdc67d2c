/**
 * Self-healing through the local stack (issue 14): an `invoice.issued` message lost after the invoice was
 * marked sent is sent again by the billing sweep and ends paid, with no lapse; a lost invoice-numbering
 * message leaves a draft that the same sweep asks to number again; a lost renewal-work unit is redone by the
 * hourly repeat of the period roll. The scheduled handlers run in this process on the local
 * scheduler's clock, driven by the test: the same cron, the same handler, an hour in a few seconds.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  billingOutboxQueue,
  invoiceNumberingQueue,
  queueUrlEnvName,
  renewalWorkQueue,
} from '@lindung/messaging';
import { type RollSummary, rollPeriod } from '@lindung/roll';
import {
  alertKey,
  CommitmentRepository,
  documentClient,
  InvoiceRepository,
  isVillageWork,
  type RenewalWork,
  RollRepository,
} from '@lindung/store';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  billingResendFunction,
  type FunctionDefinition,
  periodRollFunction,
} from '../../functions/registry.js';
import type { CliIo } from '../../packages/cli/src/command.js';
import { run as lindung } from '../../packages/cli/src/main.js';
import { type LambdaHandler, lambdaContext } from '../../packages/local/src/lambda.js';
import { Scheduler } from '../../packages/local/src/scheduler.js';
import { type Caller, caller } from '../support/api-client.js';
import { eventually, localClients, localStack } from '../support/local-stack.js';
import { villages } from '../support/roll-scenario.js';

const stack = localStack();
const clients = localClients(stack);
const tableName = stack.tables.ledger?.name ?? '';
const db = documentClient(clients.dynamodb);
const commitments = new CommitmentRepository(db, tableName);
const invoices = new InvoiceRepository(db, tableName);

/** 00:05 on the 1st of a month in Asia/Jakarta (17:05 UTC the day before), plus `minutes`. */
const jakarta = (year: number, month: number, minutes = 5) =>
  new Date(Date.UTC(year, month - 1, 1, -7, minutes));
const period = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;
/** A NIK of a Jambi man born on 15 June 1995, serial `serial`. */
const nik = (serial: number) => `1571011506950${String(serial).padStart(3, '0')}`;

const schedule = async (definition: FunctionDefinition, start: Date, results: unknown[] = []) => {
  if (definition.trigger.kind !== 'schedule') throw new Error(`${definition.id} is not scheduled`);
  const module = (await import(`../../${definition.entry.replace(/\.ts$/, '.js')}`)) as {
    handler: LambdaHandler<{ scheduledTime: string }, unknown>;
  };
  const errors: unknown[] = [];
  const scheduler = new Scheduler(
    [
      {
        functionName: definition.id,
        cron: `cron(${definition.trigger.cron})`,
        timezone: definition.trigger.timezone,
        timeoutSeconds: definition.timeoutSeconds,
        handler: async (event, context) => {
          const result = await module.handler(event, context);
          results.push(result);
          return result;
        },
      },
    ],
    (error) => errors.push(error),
    start,
  );
  return {
    /** Fires every occurrence up to `until`; fails on a handler error. */
    async runUntil(until: Date) {
      const fired = await scheduler.fireDue(until);
      expect(errors).toEqual([]);
      return fired;
    },
  };
};

/** Every message of a queue, received and deleted (what a lost message looks like to everyone else). */
const drain = async (queueUrl: string, expected: number) => {
  const bodies: string[] = [];
  await eventually(
    async () => {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages) {
        bodies.push(m.Body ?? '');
        await clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
        );
      }
      return bodies.length >= expected ? true : undefined;
    },
    { what: `${expected} messages on ${queueUrl}` },
  );
  return bodies;
};

/** Runs `act` with a queue's URL pointing at a queue nobody consumes (FIFO if its name says so). */
const divert = async <T>(envName: string, queueName: string, act: () => Promise<T>) => {
  const { QueueUrl = '' } = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      ...(queueName.endsWith('.fifo') && {
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    }),
  );
  const original = process.env[envName];
  process.env[envName] = QueueUrl;
  try {
    return { result: await act(), queueUrl: QueueUrl };
  } finally {
    process.env[envName] = original;
  }
};

/** The numbering worker's handler in this process, fed invoice-numbering messages as one batch. */
const numberInProcess = async (bodies: readonly string[]) => {
  const { handler } = (await import('../../functions/queue/invoice-numbering.js')) as {
    handler: (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;
  };
  const records = bodies.map(
    (body, i): SQSRecord => ({
      messageId: `n-${i}-${JSON.parse(body).id}`,
      receiptHandle: `n-${i}`,
      body,
      attributes: { MessageGroupId: 'self-healing' } as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-southeast-3:000000000000:lindung-local-invoice-numbering.fifo',
      awsRegion: 'ap-southeast-3',
    }),
  );
  const response = await handler({ Records: records }, lambdaContext('invoice-numbering', 30));
  expect(response.batchItemFailures).toEqual([]);
};

/**
 * The renewal worker's handler in this process, fed one batch of a commitment's units of a period; then the
 * numbering worker's, fed what the renewals asked to number (one invoice a unit), unless `numbering` is
 * `lost`: then those messages are taken off and dropped.
 */
const rollInProcess = async (
  p: string,
  commitmentId: string,
  numbering: 'in-process' | 'lost' = 'in-process',
) => {
  const { result: units, queueUrl } = await divert(
    queueUrlEnvName(invoiceNumberingQueue),
    'invoice-numbering-held.fifo',
    () => renewInProcess(p, commitmentId),
  );
  const requests = await drain(queueUrl, units);
  if (numbering === 'in-process') await numberInProcess(requests);
  return units;
};

/** The renewal worker's handler in this process, fed one batch of a commitment's units of a period. */
const renewInProcess = async (p: string, commitmentId: string) => {
  const { handler } = (await import('../../functions/queue/renewal-worker.js')) as {
    handler: (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;
  };
  const units: RenewalWork[] = [];
  await rollPeriod(new RollRepository(db, tableName), p as RenewalWork['period'], async (work) => {
    units.push(...work.filter(isVillageWork).filter((u) => u.commitmentId === commitmentId));
  });
  const records = units.map(
    (unit, i): SQSRecord => ({
      messageId: `m-${p}-${i}`,
      receiptHandle: `r-${p}-${i}`,
      body: JSON.stringify({
        type: 'renewal.requested',
        version: 1,
        id: `${unit.action}:${unit.period}:${unit.commitmentId}:${unit.villageCode}`,
        occurredAt: new Date().toISOString(),
        data: unit,
      }),
      attributes: {} as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-southeast-3:000000000000:lindung-local-renewal-work',
      awsRegion: 'ap-southeast-3',
    }),
  );
  const response = await handler({ Records: records }, lambdaContext('renewal-worker', 150));
  expect(response.batchItemFailures).toEqual([]);
  return units.length;
};

const sponsorWithWorkers = async (admin: Caller, year: number, codes: readonly string[], serial: number) => {
  const sponsor = await admin.post('/v1/sponsors', {
    name: `Provinsi Jambi ${year}`,
    kind: 'province',
    regionCode: '15',
  });
  expect(sponsor.status, JSON.stringify(sponsor.body)).toBe(201);
  const officer = await caller(stack, {
    roles: ['sponsor-officer'],
    sponsorId: sponsor.body.id,
    sub: `o-${year}`,
  });
  const approver = await caller(stack, {
    roles: ['sponsor-approver'],
    sponsorId: sponsor.body.id,
    sub: `a-${year}`,
  });
  const draft = await officer.post('/v1/commitments', {
    sponsorId: sponsor.body.id,
    fiscalYear: year,
    budget: { kind: 'fixed', amount: 10_000_000 * codes.length },
    benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
    allocation: { method: 'equal', villages: codes },
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  expect((await approver.post(`/v1/commitments/${draft.body.id}/approve`, {})).status).toBe(200);
  const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [...codes] });
  for (const [i, code] of codes.entries()) {
    const enrolled = await operator.post(`/v1/villages/${code}/enrollments`, {
      commitmentId: draft.body.id,
      worker: { nik: nik(serial + i) },
      startPeriod: period(year, 1),
    });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
  }
  return { sponsorId: sponsor.body.id as string, commitmentId: draft.body.id as string };
};

const minutes = (from: string | undefined, to: string | undefined) =>
  (Date.parse(to ?? '') - Date.parse(from ?? '')) / 60_000;

describe('self-healing through the local stack', { timeout: 300_000 }, () => {
  let admin: Caller;

  beforeAll(async () => {
    admin = await caller(stack, { roles: ['admin'], sub: 'admin' });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends an invoice whose billing message was lost again within the sweep interval: it ends paid, no lapse', async () => {
    // Prepare: two villages with a worker each; three months whose invoice messages never reach billing.
    const year = 2051;
    const [first = '', second = ''] = villages(2);
    const codes = [first, second];
    const { sponsorId, commitmentId } = await sponsorWithWorkers(admin, year, codes, 1);
    const resendAfter = 60; // the default of LINDUNG_BILLING_RESEND_AFTER_MINUTES
    const interval = 10; // the sweep's cron: every 10 minutes
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });

    for (let month = 1; month <= 3; month++) {
      // Act: the roll of the month marks the invoices sent; their messages are deleted from the queue.
      const rolledAt = jakarta(year, month);
      vi.setSystemTime(rolledAt);
      const { queueUrl } = await divert(queueUrlEnvName(billingOutboxQueue), 'billing-outbox-lost', () =>
        rollInProcess(period(year, month), commitmentId),
      );
      const lost = await drain(queueUrl, codes.length);
      expect(lost.map((body) => JSON.parse(body).id).sort()).toEqual(
        codes.map((code) => `invoice.issued:${commitmentId}_${code}_${period(year, month)}`).sort(),
      );
      const sent = await Promise.all(
        codes.map((code) => invoices.getByKey(commitmentId, code, period(year, month))),
      );
      expect(sent.map((i) => [i?.status, i?.sendCount])).toEqual(codes.map(() => ['sent', 1]));

      // Act: the sweeps before the resend time leave them alone; the first one after it sends them again.
      const sweep = await schedule(billingResendFunction, rolledAt);
      await sweep.runUntil(new Date(rolledAt.getTime() + (resendAfter - 1) * 60_000));
      const waiting = await Promise.all(
        codes.map((code) => invoices.getByKey(commitmentId, code, period(year, month))),
      );
      expect(waiting.map((i) => i?.sendCount)).toEqual(codes.map(() => 1));
      const sweptAt = new Date(rolledAt.getTime() + (resendAfter + interval) * 60_000);
      vi.setSystemTime(sweptAt);
      await sweep.runUntil(sweptAt);

      // Assess: sent again within the sweep interval, and paid by billing.
      const paid = await eventually(
        async () => {
          const now = await Promise.all(
            codes.map((code) => invoices.getByKey(commitmentId, code, period(year, month))),
          );
          return now.every((i) => i?.status === 'paid' && i.paymentCode) ? now : undefined;
        },
        { timeoutMs: 30_000, what: `the invoices of ${period(year, month)} to be paid` },
      );
      for (const invoice of paid) {
        expect(invoice?.sendCount).toBe(2);
        expect(minutes(invoice?.sentAt, invoice?.lastSentAt)).toBeGreaterThanOrEqual(resendAfter);
        expect(minutes(invoice?.sentAt, invoice?.lastSentAt)).toBeLessThanOrEqual(resendAfter + interval);
        expect(invoice?.paymentCode).toMatch(/^\d{11}$/);
      }
    }

    // Act: April rolls (its invoice reaches billing).
    vi.setSystemTime(jakarta(year, 4));
    await rollInProcess(period(year, 4), commitmentId);

    // Assess: no lapse: the workers are still covered, April is invoiced, and nobody was alerted.
    for (const code of codes) {
      const april = await invoices.getByKey(commitmentId, code, period(year, 4));
      expect(april?.lineCount).toBe(1);
      const { Item: alert } = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: alertKey(sponsorId, period(year, 4), code, 'coverage-lapsed'),
        }),
      );
      expect(alert).toBeUndefined();
    }
  });

  it('numbers a draft whose numbering message was lost when the sweep finds it unanswered: it ends paid', async () => {
    // Prepare: a village with a worker; January's invoice is drafted and its numbering message lost.
    const year = 2053;
    const [code = ''] = villages(1);
    const { commitmentId } = await sponsorWithWorkers(admin, year, [code], 21);
    const resendAfter = 60;
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const rolledAt = jakarta(year, 1);
    vi.setSystemTime(rolledAt);

    // Act
    await rollInProcess(period(year, 1), commitmentId, 'lost');
    const drafted = await invoices.getByKey(commitmentId, code, period(year, 1));
    const sweep = await schedule(billingResendFunction, rolledAt);
    await sweep.runUntil(new Date(rolledAt.getTime() + (resendAfter - 1) * 60_000));
    const stillDraft = await invoices.getByKey(commitmentId, code, period(year, 1));
    const sweptAt = new Date(rolledAt.getTime() + (resendAfter + 10) * 60_000);
    vi.setSystemTime(sweptAt);
    await sweep.runUntil(sweptAt);

    // Assess: a draft (money spent, no number) until the sweep; then numbered by the stack's worker, paid.
    expect(drafted).toMatchObject({ status: 'draft', total: 16_800 });
    expect(drafted?.number).toBeUndefined();
    expect(stillDraft?.status).toBe('draft');
    const paid = await eventually(
      async () => {
        const now = await invoices.getByKey(commitmentId, code, period(year, 1));
        return now?.status === 'paid' ? now : undefined;
      },
      { timeoutMs: 30_000, what: `the invoice of ${period(year, 1)} to be numbered and paid` },
    );
    expect(paid.numberText).toBe(`${year}/000001`);
    expect(paid.sendCount).toBe(1);
  });

  it('redoes a lost renewal-work unit at the next hourly roll, then sends nothing more', async () => {
    // Prepare: three villages; the first roll of January loses one village's unit.
    const year = 2054;
    const codes = villages(5).slice(2);
    const { commitmentId } = await sponsorWithWorkers(admin, year, codes, 11);
    const summaries: RollSummary[] = [];
    const roll = await schedule(periodRollFunction, jakarta(year, 1, 0), summaries);
    const renewalWork = process.env[queueUrlEnvName(renewalWorkQueue)] ?? '';

    // Act: 00:05 on 1 January; the units go where the test can lose one.
    const { queueUrl } = await divert(queueUrlEnvName(renewalWorkQueue), 'renewal-work-lost', () =>
      roll.runUntil(jakarta(year, 1, 6)),
    );
    const units = await drain(queueUrl, codes.length);
    const [lost, ...delivered] = units
      .filter((body) => JSON.parse(body).data.commitmentId === commitmentId)
      .sort();
    for (const body of delivered) {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: renewalWork, MessageBody: body }));
    }
    const lostVillage = JSON.parse(lost ?? '{}').data.villageCode as string;
    const rolled = () =>
      commitments
        .allAllocations(commitmentId)
        .then((all) =>
          all.filter((a) => (a as { rolledThrough?: string }).rolledThrough === period(year, 1)),
        );
    await eventually(async () => ((await rolled()).length === codes.length - 1 ? true : undefined), {
      what: 'the delivered units to roll',
    });
    expect((await rolled()).map((a) => a.villageCode)).not.toContain(lostVillage);

    // Act: the hourly repeats at 01:05 and 02:05.
    await roll.runUntil(jakarta(year, 1, 66));
    await eventually(async () => ((await rolled()).length === codes.length ? true : undefined), {
      what: 'the lost unit to be redone',
    });
    await roll.runUntil(jakarta(year, 1, 126));

    // Assess: the repeat sent the lost village only; the one after, nothing; January is invoiced once.
    expect(summaries.map((s) => s.units)).toEqual([codes.length, 1, 0]);
    // The number comes from the numbering worker, after the renewal.
    const january = await eventually(
      async () => {
        const invoice = await invoices.getByKey(commitmentId, lostVillage, period(year, 1));
        return invoice?.number === undefined ? undefined : invoice;
      },
      { what: `the invoice of ${lostVillage} to be numbered` },
    );
    expect(january.lineCount).toBe(1);
    expect(january.number).toBeGreaterThan(0);
  });

  it('shows a dead letter in `lindung doctor`, and `lindung redrive` sends it back to be done', async () => {
    // Prepare: a village's January unit that failed every retry and sits in the dead-letter queue.
    const year = 2057;
    const [village = ''] = villages(1);
    const { commitmentId } = await sponsorWithWorkers(admin, year, [village], 21);
    const unit: RenewalWork = {
      period: period(year, 1) as RenewalWork['period'],
      commitmentId,
      villageCode: village,
      action: 'renew',
    };
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queues['renewal-work']?.deadLetterUrl,
        MessageBody: JSON.stringify({
          type: 'renewal.requested',
          version: 1,
          id: `renew:${unit.period}:${commitmentId}:${village}`,
          occurredAt: new Date().toISOString(),
          data: unit,
        }),
      }),
    );
    const cli = async (...args: string[]) => {
      let stdout = '';
      const io: CliIo = {
        stdout: { write: (chunk: string) => (stdout += chunk) },
        stderr: { write: (chunk: string) => (stdout += chunk) },
        env: {},
        fetch,
      };
      return { code: await lindung([...args, '--url', stack.httpUrl], io), stdout };
    };

    // Act
    const sick = await cli('doctor');
    const redrive = await cli('redrive', '--queue', 'renewal-work');

    // Assess: reported, moved back, done; the doctor finds no dead letter left.
    expect(sick.code).toBe(1);
    expect(sick.stdout).toMatch(/renewal-work\s+\S+\s+1\b/);
    expect(sick.stdout).toContain('lindung redrive');
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain('renewal-work: 1 dead letters moved back');
    await eventually(
      async () => {
        const [allocation] = await commitments.allAllocations(commitmentId);
        return (allocation as { rolledThrough?: string } | undefined)?.rolledThrough === unit.period
          ? true
          : undefined;
      },
      { what: 'the redriven unit to roll the village' },
    );
    const stuck = await admin.get('/v1/operations/stuck');
    expect(stuck.status).toBe(200);
    expect(stuck.body.deadLetters['renewal-work']).toBe(0);
    const refused = await (await caller(stack, { roles: ['auditor'] })).post('/v1/operations/redrive', {});
    expect(refused.status).toBe(403);
  });
});
