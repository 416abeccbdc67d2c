/**
 * The billing sweep's resend of a `sent` invoice against a mocked document client: the resend is recorded
 * before the message is published, so billing answering while the message is on its way cannot leave a
 * resend uncounted, and an invoice answered before the record is neither counted nor published again.
 * The same through the local stack: test/e2e/self-healing.test.ts.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Period } from '@lindung/core';
import { PeriodRenewal } from '@lindung/roll';
import {
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  type Invoice,
  InvoiceRepository,
  invoiceId,
  RollRepository,
} from '@lindung/store';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const db = documentClient(new DynamoDBClient({ region: 'ap-southeast-3' }));
const mock = mockClient(db);
const COMMITMENT = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const VILLAGE = '15.71.01.1001';
const PERIOD = '2031-02' as Period;

const sent = {
  id: invoiceId(COMMITMENT, VILLAGE, PERIOD),
  sponsorId: 'S1',
  commitmentId: COMMITMENT,
  villageCode: VILLAGE,
  period: PERIOD,
  dueDate: '2031-02-15',
  total: 16_800,
  lineCount: 1,
  status: 'sent',
  number: 8,
  numberText: '2031/000008',
  issuedAt: '2031-02-01T00:06:00.000Z',
  sentAt: '2031-02-01T00:06:01.000Z',
  lastSentAt: '2031-02-01T00:06:01.000Z',
  sendCount: 1,
} as unknown as Invoice;

/** A renewal whose publishes are recorded, in order with the database's writes, in `steps`. */
const renewal = (steps: string[]) => {
  const publishInvoice = vi.fn(async (invoice: Invoice) => {
    steps.push(`publish ${invoice.id}`);
  });
  return {
    publishInvoice,
    renewal: new PeriodRenewal({
      commitments: new CommitmentRepository(db, 'ledger'),
      enrollments: new EnrollmentRepository(db, 'ledger'),
      invoices: new InvoiceRepository(db, 'ledger'),
      roll: new RollRepository(db, 'ledger'),
      publishInvoice,
      requestNumbering: vi.fn(),
    }),
  };
};

beforeEach(() => {
  mock.reset();
  mock.on(QueryCommand).resolves({
    Items: [
      { lines: [{ enrollmentId: 'e1', nik: '1571010106900001', nikMasked: '1571**01', premium: 16_800 }] },
    ],
  });
});

describe('PeriodRenewal.sendAgain of a sent invoice', () => {
  it('records the resend, on condition billing has not answered, before it publishes the invoice again', async () => {
    // Prepare
    const steps: string[] = [];
    mock.on(UpdateCommand).callsFake(() => {
      steps.push('record');
      return {};
    });
    const { renewal: periodRenewal, publishInvoice } = renewal(steps);

    // Act
    const handedOn = await periodRenewal.sendAgain(sent);

    // Assess
    expect(handedOn).toBe(true);
    expect(steps).toEqual(['record', `publish ${sent.id}`]);
    expect(publishInvoice).toHaveBeenCalledWith(sent, [expect.objectContaining({ enrollmentId: 'e1' })]);
    const [update] = mock.commandCalls(UpdateCommand).map(({ args }) => args[0].input);
    expect(update?.ConditionExpression).toBe('#status = :sent');
    expect(update?.UpdateExpression).toBe('SET lastSentAt = :at ADD sendCount :one');
  });

  it('neither counts nor publishes an invoice billing answered before the resend was recorded', async () => {
    // Prepare
    const steps: string[] = [];
    mock
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'answered', $metadata: {} }));
    const { renewal: periodRenewal, publishInvoice } = renewal(steps);

    // Act
    const handedOn = await periodRenewal.sendAgain(sent);

    // Assess
    expect(handedOn).toBe(false);
    expect(publishInvoice).not.toHaveBeenCalled();
  });

  it('leaves the recorded resend for the next sweep when the publish fails, and says so by throwing', async () => {
    // Prepare
    mock.on(UpdateCommand).resolves({});
    const { renewal: periodRenewal, publishInvoice } = renewal([]);
    publishInvoice.mockRejectedValueOnce(new Error('queue unavailable'));

    // Act
    const attempt = periodRenewal.sendAgain(sent);

    // Assess
    await expect(attempt).rejects.toThrow('queue unavailable');
    expect(mock.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
