/**
 * The numbering use case against a mocked document client: which transaction a batch of numbering requests
 * becomes (one per sponsor's year, numbers in request order, the sequence item once, conditioned on what was
 * read), that a redelivered request numbers nothing again, and that only an issued invoice goes to billing.
 * The same against DynamoDB Local: test/integration/store/repositories.test.ts and test/e2e/period-roll.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Period } from '@lindung/core';
import { InvoiceNumbering } from '@lindung/roll';
import {
  documentClient,
  type Invoice,
  InvoiceRepository,
  invoiceId,
  invoiceKey,
  invoiceSequenceKey,
} from '@lindung/store';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const db = documentClient(new DynamoDBClient({ region: 'ap-southeast-3' }));
const mock = mockClient(db);
const COMMITMENT = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const OTHER_COMMITMENT = '01JBBBBBBBBBBBBBBBBBBBBBBB';
const PERIOD = '2031-02' as Period;

const header = (
  commitmentId: string,
  sponsorId: string,
  villageCode: string,
  extra: Partial<Invoice> = {},
) => ({
  ...invoiceKey(commitmentId, villageCode, PERIOD),
  entity: 'invoice',
  id: invoiceId(commitmentId, villageCode, PERIOD),
  sponsorId,
  commitmentId,
  villageCode,
  period: PERIOD,
  dueDate: '2031-02-15',
  total: 16_800,
  lineCount: 1,
  status: 'draft',
  draftedAt: '2031-02-01T00:05:00.000Z',
  ...extra,
});

const stored = [
  header(COMMITMENT, 'S1', '15.71.01.1001'),
  header(COMMITMENT, 'S1', '15.71.01.1002', {
    status: 'sent',
    number: 7,
    numberText: '2031/000007',
    issuedAt: '2031-02-01T00:06:00.000Z',
  }),
  header(COMMITMENT, 'S1', '15.71.01.1003'),
  header(OTHER_COMMITMENT, 'S2', '15.71.01.1004'),
];
const request = (item: (typeof stored)[number]) => ({
  invoiceId: item.id,
  sponsorId: item.sponsorId,
  period: PERIOD,
});

beforeEach(() => {
  mock.reset();
  mock.on(GetCommand).callsFake(({ Key }) => {
    if (Key.sk === invoiceSequenceKey('S1', 2031).sk && Key.pk === invoiceSequenceKey('S1', 2031).pk) {
      return { Item: { ...Key, last: 7 } };
    }
    return { Item: stored.find((item) => item.pk === Key.pk && item.sk === Key.sk) };
  });
  // The invoices of a batch are read together.
  mock.on(BatchGetCommand).callsFake(({ RequestItems }) => {
    const requested = RequestItems as Record<string, { Keys: { pk: string; sk: string }[] }>;
    const responses = Object.fromEntries(
      Object.entries(requested).map(([table, { Keys }]) => [
        table,
        Keys.flatMap((key) => stored.filter((item) => item.pk === key.pk && item.sk === key.sk)),
      ]),
    );
    return { Responses: responses };
  });
  mock.on(TransactWriteCommand).resolves({});
  mock.on(UpdateCommand).resolves({});
  mock.on(QueryCommand).resolves({
    Items: [
      { lines: [{ enrollmentId: 'e1', nik: '1571010106900001', nikMasked: '1571**01', premium: 16_800 }] },
    ],
  });
});

describe('InvoiceNumbering', () => {
  it('numbers each sponsor’s year in one transaction, in request order, leaving an issued invoice be', async () => {
    // Prepare
    const [first, issued, second, otherSponsor] = stored.map(request) as [
      ReturnType<typeof request>,
      ReturnType<typeof request>,
      ReturnType<typeof request>,
      ReturnType<typeof request>,
    ];
    const numbering = new InvoiceNumbering({
      invoices: new InvoiceRepository(db, 'ledger'),
      publishInvoice: vi.fn(),
    });

    // Act
    const invoices = await numbering.number([second, issued, otherSponsor, first]);

    // Assess
    expect(invoices.map((i) => [i.id, i.status, i.numberText])).toEqual([
      [second.invoiceId, 'issued', '2031/000008'],
      [issued.invoiceId, 'sent', '2031/000007'],
      [otherSponsor.invoiceId, 'issued', '2031/000001'],
      [first.invoiceId, 'issued', '2031/000009'],
    ]);
    const transactions = mock
      .commandCalls(TransactWriteCommand)
      .map(({ args }) => args[0].input.TransactItems);
    expect(transactions).toHaveLength(2);
    const [s1] = transactions;
    expect(s1?.[0]?.Put).toMatchObject({
      Item: { ...invoiceSequenceKey('S1', 2031), last: 9 },
      ConditionExpression: '#last = :last',
      ExpressionAttributeValues: { ':last': 7 },
    });
    expect(s1?.slice(1).map((action) => action.Update?.ExpressionAttributeValues?.[':number'])).toEqual([
      8, 9,
    ]);
    expect(s1?.[1]?.Update?.ConditionExpression).toBe('attribute_exists(pk) AND #status IN (:from0)');
    expect(s1?.[1]?.Update?.ExpressionAttributeValues).toMatchObject({ ':from0': 'draft', ':to': 'issued' });
    expect(transactions[1]?.[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    // Each sponsor's invoices read in one request, beside its sequence item: no read of one invoice alone.
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(2);
    expect(mock.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('writes nothing when every invoice of a redelivered batch is issued already', async () => {
    // Prepare
    const numbering = new InvoiceNumbering({
      invoices: new InvoiceRepository(db, 'ledger'),
      publishInvoice: vi.fn(),
    });

    // Act
    const [invoice] = await numbering.number([request(stored[1] as (typeof stored)[number])]);

    // Assess
    expect(invoice?.number).toBe(7);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('hands only an issued invoice to billing, with its lines, and records the send', async () => {
    // Prepare
    const publishInvoice = vi.fn(async () => {});
    const invoices = new InvoiceRepository(db, 'ledger');
    const numbering = new InvoiceNumbering({ invoices, publishInvoice });
    const [issued] = await numbering.number([request(stored[0] as (typeof stored)[number])]);

    // Act
    await numbering.send(stored[2] as unknown as Invoice);
    await numbering.send(issued as Invoice);

    // Assess
    expect(publishInvoice).toHaveBeenCalledTimes(1);
    expect(publishInvoice).toHaveBeenCalledWith(issued, [
      expect.objectContaining({ enrollmentId: 'e1', nik: '1571010106900001' }),
    ]);
    const sends = mock.commandCalls(UpdateCommand).map(({ args }) => args[0].input);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.ExpressionAttributeValues).toMatchObject({ ':to': 'sent', ':c2': 1 });
  });
});
