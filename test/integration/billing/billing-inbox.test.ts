/**
 * The billing-inbox consumer against DynamoDB Local: BPJS billing's answers move an invoice along its
 * lifecycle exactly once, a wrong payment is refused, and a rejection voids the invoice with a credit note
 * that gives its total back.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { allocate, benefitPackage, type Period, rupiah } from '@lindung/core';
import {
  allocationKey,
  CommitmentRepository,
  creditNoteKey,
  documentClient,
  type Invoice,
  InvoiceRepository,
  LedgerRepository,
} from '@lindung/store';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../packages/local/src/lambda.js';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const commitments = new CommitmentRepository(db, tableName);
const invoices = new InvoiceRepository(db, tableName);
const VILLAGE = '15.71.01.1001';
const PERIOD = '2040-01' as Period;

type Handler = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;
let handler: Handler;

const deliver = async (...messages: { type: string; data: Record<string, unknown> }[]) => {
  const event = {
    Records: messages.map((m, i) => ({
      messageId: `m${i}`,
      body: JSON.stringify({ ...m, version: 1, id: `${m.type}:${i}`, occurredAt: new Date().toISOString() }),
    })),
  } as SQSEvent;
  try {
    return (await handler(event, lambdaContext('billing-inbox', 30))).batchItemFailures.map(
      (f) => f.itemIdentifier,
    );
  } catch {
    return event.Records.map((r) => r.messageId); // the whole batch failed
  }
};

/** An issued invoice of one worker-month, made the way the roll makes it. */
const issuedInvoice = async (): Promise<Invoice> => {
  const sponsor = await commitments.createSponsor({
    name: 'Kabupaten Uji',
    kind: 'regency',
    regionCode: '15.71',
  });
  const draft = await commitments.draft(
    {
      sponsorId: sponsor.id,
      fiscalYear: 2040,
      budget: rupiah(1_000_000),
      funding: { kind: 'fixed', amount: 1_000_000 },
      benefit: benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 }),
      reservation: 'monthly',
      allocation: { kind: 'equal' },
      villageCodes: [VILLAGE],
    },
    'officer',
  );
  await commitments.approve(draft.id, 'approver', allocate(rupiah(1_000_000), { kind: 'equal' }, [VILLAGE]));
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: allocationKey(draft.id, VILLAGE),
      UpdateExpression: 'SET closedThrough = :p',
      ExpressionAttributeValues: { ':p': PERIOD },
    }),
  );
  const line = {
    enrollmentId: 'e1',
    nik: '1571010106900001',
    nikMasked: '1571**********01',
    premium: rupiah(16_800),
  };
  const drafted = await invoices.draft({
    sponsorId: sponsor.id,
    commitmentId: draft.id,
    villageCode: VILLAGE,
    period: PERIOD,
    lines: [line],
    total: rupiah(16_800),
    fromReserved: rupiah(0),
    fromAvailable: rupiah(16_800),
  });
  const [issued] = await invoices.number(sponsor.id, Number(PERIOD.slice(0, 4)), [drafted.id]);
  if (!issued) throw new Error(`invoice ${drafted.id} was not numbered`);
  return issued;
};

describe('billing-inbox consumer', () => {
  beforeAll(async () => {
    ({ handler } = (await import('../../../functions/queue/billing-inbox.js')) as { handler: Handler });
  });

  it('acknowledges and pays once, however often the answers arrive, and refuses a wrong amount', async () => {
    // Prepare
    const invoice = await issuedInvoice();
    const ack = { type: 'invoice.acknowledged', data: { invoiceId: invoice.id, paymentCode: '12345678901' } };
    const paid = (amount: number) => ({
      type: 'invoice.paid',
      data: { invoiceId: invoice.id, amount, paidAt: new Date().toISOString() },
    });

    // Act
    const first = await deliver(ack, ack);
    const wrong = await deliver(paid(1));
    const right = await deliver(paid(16_800), paid(16_800), ack);

    // Assess
    expect(first).toEqual([]);
    expect(wrong).toEqual(['m0']);
    expect(right).toEqual([]);
    const stored = await invoices.getByKey(invoice.commitmentId, VILLAGE, PERIOD);
    expect(stored).toMatchObject({ status: 'paid', paymentCode: '12345678901', paidAmount: 16_800 });
  });

  it('voids a rejected invoice with a credit note and keeps the invoice', async () => {
    // Prepare
    const invoice = await issuedInvoice();
    const rejected = {
      type: 'invoice.rejected',
      data: { invoiceId: invoice.id, reason: 'NIK tidak terdaftar' },
    };

    // Act
    const failures = await deliver(rejected, rejected);

    // Assess
    expect(failures).toEqual([]);
    const stored = await invoices.getByKey(invoice.commitmentId, VILLAGE, PERIOD);
    expect(stored).toMatchObject({ status: 'void', creditNote: `CN-${invoice.numberText}` });
    const { Item: note } = await db.send(
      new GetCommand({ TableName: tableName, Key: creditNoteKey(invoice.commitmentId, VILLAGE, PERIOD) }),
    );
    expect(note).toMatchObject({ amount: 16_800, invoiceId: invoice.id, reason: 'NIK tidak terdaftar' });
    // The money never left: the credit note gives it back to the sponsor, once, as the ledger shows.
    const allocation = await commitments.allocation(invoice.commitmentId, VILLAGE);
    expect(allocation).toMatchObject({ spent: 0, released: 16_800, budget: 1_000_000 });
    expect(allocation && (await new LedgerRepository(db, tableName).reconcile(allocation)).problems).toEqual(
      [],
    );
    expect(
      await deliver({
        type: 'invoice.paid',
        data: { invoiceId: invoice.id, amount: 16_800, paidAt: new Date().toISOString() },
      }),
    ).toEqual(['m0']);
  });

  it('refuses a message that is not a billing answer', async () => {
    // Act
    const failures = await deliver({ type: 'invoice.lost', data: {} });

    // Assess
    expect(failures).toEqual(['m0']);
  });
});
