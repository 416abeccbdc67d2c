/**
 * Invoices against DynamoDB Local: the lines live beside a small header, so billing's answers cost one write
 * unit whatever the invoice holds; and an approval retried while it finishes answers the approved commitment.
 */

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyCoveredError,
  allocate,
  benefitPackage,
  IllegalTransitionError,
  type Period,
  rupiah,
} from '@lindung/core';
import {
  allocationKey,
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  InvoiceNumberingRefused,
  InvoiceRepository,
  invoiceKey,
  LedgerRepository,
  RollRepository,
  type StoredInvoiceLine,
  TransactionRefused,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { countWrites } from '../../bench/write-counter.js';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const dynamodb = localClients(stack).dynamodb;
const db = documentClient(dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const commitments = new CommitmentRepository(db, tableName);
const invoices = new InvoiceRepository(db, tableName);
const PERIOD = '2041-03' as Period;
const PREMIUM = 16_800;

/** A draft commitment of 2041 over `villages`, `perVillage` each. */
const draftOver = async (villages: readonly string[], perVillage = 10_000_000) => {
  const sponsor = await commitments.createSponsor({ name: 'Kota Uji', kind: 'regency', regionCode: '15.71' });
  const budget = rupiah(perVillage * villages.length);
  const draft = await commitments.draft(
    {
      sponsorId: sponsor.id,
      fiscalYear: 2041,
      budget,
      funding: { kind: 'fixed', amount: budget },
      benefit: benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 }),
      reservation: 'monthly',
      allocation: { kind: 'equal' },
      villageCodes: [...villages],
    },
    'officer',
  );
  return { sponsor, draft, allocations: allocate(budget, { kind: 'equal' }, [...villages]) };
};

/** A worker of 1990 enrolled for `PERIOD` (monthly reservation). */
const enrollmentRequest = (commitmentId: string, villageCode: string, serial: number) => ({
  commitmentId,
  villageCode,
  nik: `157101010690${String(serial).padStart(4, '0')}`,
  birthDate: '1990-06-01',
  sex: 'M' as const,
  startPeriod: PERIOD,
  periods: [PERIOD],
  reservedAmount: rupiah(PREMIUM),
  monthlyPremium: rupiah(PREMIUM),
  enrolledBy: 'operator',
  reservation: 'monthly' as const,
});

const villageCodes = (count: number) =>
  Array.from({ length: count }, (_, i) => `15.71.01.${String(1001 + i).padStart(4, '0')}`);

const lineOf = (i: number): StoredInvoiceLine => ({
  enrollmentId: `e${i}`,
  nik: `157101010690${String(i).padStart(4, '0')}`,
  nikMasked: `1571**********${String(i % 100).padStart(2, '0')}`,
  name: `Pekerja ${i}`,
  premium: rupiah(PREMIUM),
});

/** Closes a village's `PERIOD` for changes, as the roll does before it drafts the invoice. */
const closeForChanges = (commitmentId: string, village: string) =>
  db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: allocationKey(commitmentId, village),
      UpdateExpression: 'SET closedThrough = :p',
      ExpressionAttributeValues: { ':p': PERIOD },
    }),
  );

/** Drafts an invoice of `count` lines in a village of its own, numbers it, then lets billing answer (payment first). */
/** One invoice of `count` lines issued for `village` in 2041-03, numbered. */
const issue = async (village: string, count: number) => {
  const { sponsor, draft, allocations } = await draftOver([village], 20_000_000);
  await commitments.approve(draft.id, 'approver', allocations);
  await closeForChanges(draft.id, village);
  const lines = Array.from({ length: count }, (_, i) => lineOf(i));
  const total = rupiah(PREMIUM * count);
  const drafted = await invoices.draft({
    sponsorId: sponsor.id,
    commitmentId: draft.id,
    villageCode: village,
    period: PERIOD,
    lines,
    total,
    fromReserved: rupiah(0),
    fromAvailable: total,
  });
  const [invoice = drafted] = await invoices.number(sponsor.id, 2041, [drafted.id]);
  return { invoice, lines, total };
};

/** An invoice issued, sent (unless the send was never recorded), paid, then acknowledged. */
const issueAndAnswer = async (village: string, count: number, sendRecorded = true) => {
  const { invoice, lines, total } = await issue(village, count);
  const counter = countWrites([dynamodb]);
  if (sendRecorded) await invoices.apply(invoice.id, 'send');
  await invoices.apply(invoice.id, 'pay', { paidAt: '2041-03-20T00:00:00Z', paidAmount: total });
  await invoices.apply(invoice.id, 'acknowledge', { paymentCode: '12345678901' });
  return { invoice, lines, total, answers: counter.stop().total };
};

describe('invoice storage', () => {
  it('keeps 900 lines beside the header, so billing answers cost what they cost for one line', async () => {
    // Act
    const one = await issueAndAnswer('15.71.02.2001', 1);
    const many = await issueAndAnswer('15.71.02.2002', 900);

    // Assess
    expect(await invoices.storedLines(many.invoice)).toEqual(many.lines);
    const { Item: header } = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: invoiceKey(many.invoice.commitmentId, '15.71.02.2002', PERIOD),
      }),
    );
    expect(header).not.toHaveProperty('lines');
    // The acknowledgement came after the payment: the invoice stays paid and keeps its payment code.
    expect(header).toMatchObject({
      status: 'paid',
      paymentCode: '12345678901',
      lineCount: 900,
      total: many.total,
    });
    expect(many.answers).toEqual(one.answers);
    // send, pay, the acknowledgement refused as a transition, then its payment code filled in; each write
    // is the header plus its two index entries.
    expect(many.answers).toEqual({ requests: 4, units: 9 });
    expect((await invoices.get(many.invoice.id)).lines.map((l) => l.nikMasked)).toEqual(
      many.lines.map((l) => l.nikMasked),
    );
  });

  it('records a send that billing has already answered with one refused write and no error', async () => {
    // Prepare: billing acknowledged the invoice before the roll recorded that it handed it over.
    const { invoice } = await issueAndAnswer('15.71.02.2003', 3);
    const { Item: before } = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: invoiceKey(invoice.commitmentId, '15.71.02.2003', PERIOD),
      }),
    );

    // Act
    const counter = countWrites([dynamodb]);
    const recorded = await invoices.apply(invoice.id, 'send', { sentAt: '2041-03-01T00:00:00Z' });
    const writes = counter.stop();

    // Assess
    expect(recorded).toBe(false);
    expect(writes.total.requests).toBe(1);
    expect(writes.refused).toBe(1);
    const { Item: after } = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: invoiceKey(invoice.commitmentId, '15.71.02.2003', PERIOD),
      }),
    );
    expect(after).toEqual(before);
  });

  it('counts the one send of an invoice billing answered before the send was recorded', async () => {
    // Prepare: billing paid and acknowledged the invoice; the sender never got to record the send.
    const { invoice } = await issueAndAnswer('15.71.02.2004', 1, false);

    // Act
    const recorded = await invoices.apply(invoice.id, 'send', { sentAt: '2041-03-01T00:00:00Z' });
    const answered = await invoices.getByKey(invoice.commitmentId, '15.71.02.2004', PERIOD);

    // Assess
    expect(recorded).toBe(false);
    expect(answered).toMatchObject({ status: 'paid', sendCount: 1, paymentCode: '12345678901' });
  });

  it('keeps the count of a recorded send and resend when billing answers', async () => {
    // Prepare
    const { invoice, total } = await issue('15.71.02.2005', 1);
    await invoices.apply(invoice.id, 'send', { sentAt: '2041-03-01T00:00:00Z', sendCount: 1 });
    await invoices.recordResend(invoice.id, '2041-03-01T01:10:00Z');

    // Act
    await invoices.apply(invoice.id, 'pay', { paidAt: '2041-03-20T00:00:00Z', paidAmount: total });
    const answered = await invoices.getByKey(invoice.commitmentId, '15.71.02.2005', PERIOD);

    // Assess
    expect(answered).toMatchObject({ status: 'paid', sendCount: 2, lastSentAt: '2041-03-01T01:10:00Z' });
  });
});

describe('invoice numbering', () => {
  /** Drafts one invoice of one line in each of `villages`, all of one sponsor's 2041. */
  const draftsOf = async (villages: readonly string[]) => {
    const { sponsor, draft, allocations } = await draftOver(villages);
    await commitments.approve(draft.id, 'approver', allocations);
    const drafted = [];
    for (const village of villages) {
      await closeForChanges(draft.id, village);
      drafted.push(
        await invoices.draft({
          sponsorId: sponsor.id,
          commitmentId: draft.id,
          villageCode: village,
          period: PERIOD,
          lines: [lineOf(drafted.length)],
          total: rupiah(PREMIUM),
          fromReserved: rupiah(0),
          fromAvailable: rupiah(PREMIUM),
        }),
      );
    }
    return { sponsorId: sponsor.id, drafted };
  };

  it('drafts without a number, then numbers a batch gap-free in the order asked, once', async () => {
    // Prepare
    const { sponsorId, drafted } = await draftsOf(['15.71.03.3001', '15.71.03.3002', '15.71.03.3003']);
    const [a, b, c] = drafted.map((invoice) => invoice.id) as [string, string, string];

    // Act
    const first = await invoices.number(sponsorId, 2041, [b, a]);
    const counter = countWrites([dynamodb]);
    const again = await invoices.number(sponsorId, 2041, [a, c]);
    const writes = counter.stop();

    // Assess
    expect(drafted.map((invoice) => [invoice.status, invoice.number])).toEqual([
      ['draft', undefined],
      ['draft', undefined],
      ['draft', undefined],
    ]);
    expect(first.map((invoice) => [invoice.id, invoice.status, invoice.numberText])).toEqual([
      [b, 'issued', '2041/000001'],
      [a, 'issued', '2041/000002'],
    ]);
    // The redelivered `a` keeps its number; only `c` is numbered, in one transaction.
    expect(again.map((invoice) => [invoice.id, invoice.number])).toEqual([
      [a, 2],
      [c, 3],
    ]);
    expect(writes.total.requests).toBe(1);
    expect(writes.refused).toBe(0);
    expect((await invoices.get(c)).status).toBe('issued');
  });

  it('refuses a batch whose sequence moved since it was read, numbering none of it', async () => {
    // Prepare: a second writer (which FIFO rules out) took number 1 between the read and the transaction.
    const { sponsorId, drafted } = await draftsOf(['15.71.03.3004', '15.71.03.3005']);
    const [a, b] = drafted.map((invoice) => invoice.id) as [string, string];
    await invoices.number(sponsorId, 2041, [a]);
    const racing = new InvoiceRepository(
      {
        send: async (command: Parameters<typeof db.send>[0]) => {
          const result = await db.send(command);
          // After the sequence read, before the transaction: the other writer numbers... nothing it may.
          if (command instanceof GetCommand && String(command.input.Key?.sk).startsWith('INVOICE-SEQUENCE')) {
            await db.send(
              new UpdateCommand({
                TableName: tableName,
                Key: command.input.Key,
                UpdateExpression: 'SET #last = #last + :one',
                ExpressionAttributeNames: { '#last': 'last' },
                ExpressionAttributeValues: { ':one': 1 },
              }),
            );
          }
          return result;
        },
      } as unknown as typeof db,
      tableName,
    );

    // Act
    const numbering = racing.number(sponsorId, 2041, [b]);

    // Assess
    await expect(numbering).rejects.toBeInstanceOf(InvoiceNumberingRefused);
    expect((await invoices.get(b)).status).toBe('draft');
  });
});

describe('commitment approval', () => {
  it('answers the approved commitment to an approval retried while the first run finishes', async () => {
    // Prepare
    const villages = villageCodes(120);
    const { draft, allocations } = await draftOver(villages);

    // Act
    const runs = await Promise.all([
      commitments.approve(draft.id, 'approver', allocations),
      commitments.approve(draft.id, 'approver', allocations),
    ]);
    const later = await commitments.approve(draft.id, 'approver', allocations);
    const other = commitments.approve(draft.id, 'another approver', allocations);

    // Assess
    for (const run of [...runs, later]) {
      expect(run).toMatchObject({ id: draft.id, status: 'active', allocated: 1_200_000_000 });
    }
    await expect(other).rejects.toBeInstanceOf(IllegalTransitionError);
    const stored = await commitments.allAllocations(draft.id);
    expect(stored).toHaveLength(120);
    const ledger = new LedgerRepository(db, tableName);
    for (const allocation of stored) expect((await ledger.reconcile(allocation)).problems).toEqual([]);
  });
});

describe('batch enrollment', () => {
  const request = (commitmentId: string, villageCode: string, serial: number, id = `b${serial}`) => ({
    ...enrollmentRequest(commitmentId, villageCode, serial),
    id,
  });

  it('enrolls many workers in one transaction, and leaves out the one covered already and the one twice', async () => {
    // Prepare
    const [village = ''] = villageCodes(1).map((code) => code.replace('.1001', '.1010'));
    const { draft, allocations } = await draftOver([village]);
    await commitments.approve(draft.id, 'approver', allocations);
    const enrollments = new EnrollmentRepository(db, tableName);
    await enrollments.enroll(request(draft.id, village, 9000, 'b-alone'));
    const counter = countWrites([dynamodb]);

    // Act
    const outcome = await enrollments.enrollBatch([
      request(draft.id, village, 9000, 'b-again'),
      ...Array.from({ length: 20 }, (_, i) => request(draft.id, village, 9001 + i)),
      request(draft.id, village, 9005, 'b-twice'),
    ]);
    const tally = counter.stop();

    // Assess
    expect(outcome.enrolled.map((e) => e.id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `b${9001 + i}`).sort(),
    );
    expect(outcome.oneByOne.map((r) => r.id).sort()).toEqual(['b-again', 'b-twice']);
    expect(tally.byCommand.TransactWriteItemsCommand).toBe(2); // refused once for the covered worker, then taken
    const allocation = await commitments.allocation(draft.id, village);
    expect(allocation).toMatchObject({ reserved: 21 * PREMIUM, workers: 21 });
    const ledger = new LedgerRepository(db, tableName);
    expect((await ledger.reconcile(allocation as NonNullable<typeof allocation>)).problems).toEqual([]);
  });

  it('enrolls none of a batch whose cost the quota cannot take', async () => {
    // Prepare
    const [village = ''] = villageCodes(1).map((code) => code.replace('.1001', '.1011'));
    const { draft, allocations } = await draftOver([village], 3 * PREMIUM);
    await commitments.approve(draft.id, 'approver', allocations);
    const enrollments = new EnrollmentRepository(db, tableName);

    // Act
    const outcome = await enrollments.enrollBatch(
      Array.from({ length: 5 }, (_, i) => request(draft.id, village, 9100 + i)),
    );

    // Assess
    expect(outcome.enrolled).toEqual([]);
    expect(outcome.oneByOne).toHaveLength(5);
    expect(await commitments.allocation(draft.id, village)).toMatchObject({
      available: 3 * PREMIUM,
      reserved: 0,
      workers: 0,
    });
  });

  it('shows the running coverage of a closed year expired, and ends none of it after the close', async () => {
    // Prepare: two workers enrolled, the year closed with what is left of the quota.
    const [village = ''] = villageCodes(1).map((code) => code.replace('.1001', '.1012'));
    const { draft, allocations } = await draftOver([village]);
    await commitments.approve(draft.id, 'approver', allocations);
    const enrollments = new EnrollmentRepository(db, tableName);
    await enrollments.enroll(request(draft.id, village, 9300));
    await enrollments.enroll(request(draft.id, village, 9301));
    const left = (await commitments.allocation(draft.id, village))?.available ?? rupiah(0);
    const roll = new RollRepository(db, tableName);
    const counter = countWrites([dynamodb]);
    expect(await roll.closeAllocation(draft.id, village, left, '2041-12' as Period)).toBe(true);
    const closing = counter.stop();

    // Act
    const [first] = await enrollments.ofAllocation(draft.id, village);
    const ended = await enrollments.end(
      { ...(first as NonNullable<typeof first>), status: 'active' },
      {
        state: 'terminated',
        reason: 'terminated',
        from: '2042-01' as Period,
        periods: [],
        amount: rupiah(0),
        requireOpenPeriod: false,
      },
    );

    // Assess
    expect(closing.total.requests).toBe(1);
    const shown = await enrollments.ofAllocation(draft.id, village);
    expect(shown.map((e) => [e.status, e.endReason, e.endPeriod])).toEqual([
      ['expired', 'fiscal-year-end', '2042-01'],
      ['expired', 'fiscal-year-end', '2042-01'],
    ]);
    expect((await enrollments.find(shown[0]?.id ?? ''))?.status).toBe('expired');
    expect(ended).toBe(false);
    const { Item } = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `ENROLLMENTS#${draft.id}#${village}`, sk: `ENROLLMENT#${first?.id}` },
      }),
    );
    expect(Item?.status).toBe('active'); // stored as the year left it: the close wrote no worker
  });
});

describe('enrollment with a companion action', () => {
  const idempotencyTable = stack.tables.idempotency?.name ?? '';
  const request = (commitmentId: string, villageCode: string, serial: number) =>
    enrollmentRequest(commitmentId, villageCode, serial);
  /** A record in another table made from the enrollment, refused once it exists (as an idempotency record). */
  const companion = (id: string) => ({
    name: 'record',
    action: (enrollment: { id: string }) => ({
      Put: {
        TableName: idempotencyTable,
        Item: { id, status: 'COMPLETED', data: { enrollmentId: enrollment.id } },
        ConditionExpression: 'attribute_not_exists(id)',
      },
    }),
  });

  it('writes the companion with the enrollment, and names it, not the claim, when both refuse', async () => {
    // Prepare
    const [village = ''] = villageCodes(1).map((code) => code.replace('.1001', '.1020'));
    const { draft, allocations } = await draftOver([village]);
    await commitments.approve(draft.id, 'approver', allocations);
    const enrollments = new EnrollmentRepository(db, tableName);
    const key = `companion-${Date.now()}`;

    // Act
    const enrolled = await enrollments.enroll(request(draft.id, village, 9200), companion(key));
    const again = await enrollments.enroll(request(draft.id, village, 9200), companion(key)).catch((e) => e);
    const covered = await enrollments
      .enroll(request(draft.id, village, 9200), companion(`${key}-other`))
      .catch((e) => e);

    // Assess
    const { Item } = await db.send(new GetCommand({ TableName: idempotencyTable, Key: { id: key } }));
    expect(Item?.data).toEqual({ enrollmentId: enrolled.id });
    expect(again).toBeInstanceOf(TransactionRefused);
    expect((again as TransactionRefused).failed('record')).toBeDefined();
    expect((again as TransactionRefused).failed('claim')).toBeDefined();
    expect(covered).toBeInstanceOf(AlreadyCoveredError);
    expect(await commitments.allocation(draft.id, village)).toMatchObject({ reserved: PREMIUM, workers: 1 });
  });
});
