import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '@lindung/core';
import {
  decodePageToken,
  encodePageToken,
  isTransactionConflict,
  retryOnTransactionConflict,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';

const token = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const allocationsOf = (commitment: string) => ({
  pk: { equals: `COMMITMENT#${commitment}` },
  sk: { startsWith: 'ALLOCATION#' },
});

describe('page tokens', () => {
  it('read back the key they were made from, within the query they came from', () => {
    // Prepare
    const key = { pk: 'COMMITMENT#C1', sk: 'ALLOCATION#15.01.01.2001' };

    // Act
    const decoded = decodePageToken(encodePageToken(key), allocationsOf('C1'));

    // Assess
    expect(decoded).toEqual(key);
  });

  it.each([
    ['not base64 of JSON', '%%%'],
    ['a JSON array', token([1, 2])],
    ['a key without a sort key', token({ pk: 'COMMITMENT#C1' })],
    ['a key with a number', token({ pk: 'COMMITMENT#C1', sk: 7 })],
    ['a key with an attribute no index has', token({ pk: 'COMMITMENT#C1', sk: 'ALLOCATION#x', x: 'y' })],
    ['a key too long for DynamoDB', token({ pk: 'COMMITMENT#C1', sk: `ALLOCATION#${'x'.repeat(2_000)}` })],
  ])('are refused when %s', (_, text) => {
    // Act and Assess
    expect(() => decodePageToken(text)).toThrow(ValidationError);
  });

  it.each([
    ['of another commitment', { pk: 'COMMITMENT#C2', sk: 'ALLOCATION#15.01.01.2001' }],
    ['of another kind of item', { pk: 'COMMITMENT#C1', sk: 'REALLOCATION#R1' }],
    ['of an index query', { pk: 'COMMITMENT#C1', sk: 'ALLOCATION#x', gsi2pk: 'a', gsi2sk: 'b' }],
  ])('are refused by a query when they are %s', (_, key) => {
    // Act and Assess
    expect(() => decodePageToken(token(key), allocationsOf('C1'))).toThrow(ValidationError);
  });
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('transaction conflicts', () => {
  it('are told apart from failed conditions', () => {
    // Assess
    expect(isTransactionConflict(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed'))).toBe(false);
    expect(isTransactionConflict(new Error('TransactionConflict'))).toBe(false);
  });

  it('are retried until the transaction goes through; other errors are not', async () => {
    // Prepare
    let attempts = 0;
    const flaky = async () => {
      attempts++;
      if (attempts < 3) throw cancelled('TransactionConflict');
      return 'written';
    };
    const refused = cancelled('ConditionalCheckFailed');

    // Act
    const result = await retryOnTransactionConflict(flaky, { baseDelayMs: 1 });
    const failing = retryOnTransactionConflict(
      async () => {
        throw refused;
      },
      { baseDelayMs: 1 },
    );

    // Assess
    expect([result, attempts]).toEqual(['written', 3]);
    await expect(failing).rejects.toBe(refused);
  });

  it('give up after the last attempt with the conflict', async () => {
    // Prepare
    const conflict = cancelled('TransactionConflict');
    let attempts = 0;

    // Act
    const run = retryOnTransactionConflict(
      async () => {
        attempts++;
        throw conflict;
      },
      { attempts: 4, baseDelayMs: 1 },
    );

    // Assess
    await expect(run).rejects.toBe(conflict);
    expect(attempts).toBe(4);
  });
});
