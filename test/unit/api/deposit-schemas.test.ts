/**
 * The deposit and refund request schemas, through the same error middleware the HTTP API answers with: a
 * malformed deposit gets a `validation-failed` problem (422, as every request the contract refuses) whose
 * `errors` name the field and say what is wrong in words a collector can act on.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createPartnerBody, json, parseDeposits, problemDetails, refundBody } from '@lindung/api';
import { MAX_DEPOSITS_PER_REQUEST } from '@lindung/core';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

const NIK = '6371010101900001';
const deposit = (over: Record<string, unknown> = {}) => ({
  receiptNumber: 'PSR-2027-0001',
  nik: NIK,
  amount: 1_000,
  depositedAt: '2027-03-14',
  ...over,
});

/** A handler that only parses deposits, behind the API's error middleware. */
const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(problemDetails(new Logger({ logLevel: 'SILENT' })))
  .handler(async (event) => json(201, { deposits: parseDeposits(JSON.parse(event.body ?? '')) }));

const context = { getRemainingTimeInMillis: () => 29_000, awsRequestId: 'a-1' } as unknown as Context;

const post = async (body: unknown) => {
  const event = {
    body: JSON.stringify(body),
    requestContext: { requestId: 'r-1' },
  } as APIGatewayProxyEventV2;
  const answer = await handler(event, context);
  return { status: answer.statusCode, body: JSON.parse(answer.body ?? '{}') };
};

describe('deposit request schemas', () => {
  it('takes one deposit or a list of up to 100', async () => {
    // Act
    const single = await post(deposit());
    const batch = await post({
      deposits: Array.from({ length: MAX_DEPOSITS_PER_REQUEST }, (_, i) =>
        deposit({ receiptNumber: `R-${i}` }),
      ),
    });

    // Assess
    expect(single).toMatchObject({ status: 201, body: { deposits: [deposit()] } });
    expect(batch.status).toBe(201);
    expect(batch.body.deposits).toHaveLength(100);
  });

  it.each([
    ['a NIK of 15 digits', deposit({ nik: '637101010190000' }), 'nik', 'a NIK is 16 digits'],
    ['a NIK with no birth date', deposit({ nik: '6371019901900001' }), 'nik', 'not a valid NIK'],
    ['Rp 0', deposit({ amount: 0 }), 'amount', 'an amount is at least Rp 1'],
    ['a fraction of a rupiah', deposit({ amount: 10.5 }), 'amount', 'whole rupiah'],
    ['30 February', deposit({ depositedAt: '2027-02-30' }), 'depositedAt', 'a calendar date YYYY-MM-DD'],
    ['a date in another format', deposit({ depositedAt: '14/03/2027' }), 'depositedAt', 'YYYY-MM-DD'],
    ['a receipt number with a #', deposit({ receiptNumber: 'R#1' }), 'receiptNumber', 'receipt number'],
  ])('refuses %s with a validation problem naming the field', async (_, body, path, message) => {
    // Act
    const { status, body: problem } = await post(body);

    // Assess
    expect(status).toBe(422);
    expect(problem.code).toBe('validation-failed');
    expect(problem.errors).toEqual([expect.objectContaining({ path })]);
    expect(problem.errors[0].message).toContain(message);
  });

  it('refuses more than 100 deposits in one request, and an empty list', async () => {
    // Act
    const tooMany = await post({
      deposits: Array.from({ length: 101 }, (_, i) => deposit({ receiptNumber: `R-${i}` })),
    });
    const none = await post({ deposits: [] });

    // Assess
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors).toEqual([{ path: 'deposits', message: 'at most 100 deposits per request' }]);
    expect(none.body.errors).toEqual([{ path: 'deposits', message: 'name at least one deposit' }]);
  });

  it('names the deposit of a list that is wrong', async () => {
    // Act
    const { status, body } = await post({ deposits: [deposit(), deposit({ amount: 0 })] });

    // Assess
    expect(status).toBe(422);
    expect(body.errors).toEqual([{ path: 'deposits.1.amount', message: 'an amount is at least Rp 1' }]);
  });
});

describe('partner and refund schemas', () => {
  it('registers a partner for any level of region, with a fee rate in basis points', () => {
    expect(
      createPartnerBody.parse({
        name: 'Pasar Sentra Antasari',
        kind: 'market-manager',
        areaCode: '63.71',
        feeRateBasisPoints: 750,
      }),
    ).toMatchObject({ areaCode: '63.71' });
    expect(
      createPartnerBody.safeParse({ name: 'X', kind: 'agent', areaCode: '99.99', feeRateBasisPoints: 750 })
        .success,
    ).toBe(false);
    expect(
      createPartnerBody.safeParse({ name: 'X', kind: 'agent', areaCode: '63.71', feeRateBasisPoints: 10_001 })
        .success,
    ).toBe(false);
    expect(
      createPartnerBody.safeParse({ name: 'X', kind: 'shop', areaCode: '63.71', feeRateBasisPoints: 750 })
        .success,
    ).toBe(false);
  });

  it('refuses a refund of Rp 0 or without a reason', () => {
    const refund = { receiptNumber: 'RF-1', nik: NIK, amount: 5_000, reason: 'Pindah ke luar kota' };
    expect(refundBody.parse(refund)).toEqual(refund);
    expect(refundBody.safeParse({ ...refund, amount: 0 }).success).toBe(false);
    expect(refundBody.safeParse({ ...refund, reason: '  ' }).success).toBe(false);
  });
});
