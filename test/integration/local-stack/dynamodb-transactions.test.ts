import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { localClients, localStack } from '../../support/local-stack.js';

describe('DynamoDB Local transactions', () => {
  const stack = localStack();
  const { document } = localClients(stack);
  const TableName = stack.tables.ledger?.name ?? '';

  it('changes nothing when one condition of a TransactWriteItems fails', async () => {
    // Prepare: an allocation-like item with 100 remaining.
    const id = ulid();
    await document.send(new PutCommand({ TableName, Item: { pk: `TEST#${id}`, sk: 'A', remaining: 100 } }));

    // Act: reserve 150 (fails its condition) together with a put that alone would succeed.
    const attempt = document.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: `TEST#${id}`, sk: 'B', note: 'must not appear' } } },
          {
            Update: {
              TableName,
              Key: { pk: `TEST#${id}`, sk: 'A' },
              UpdateExpression: 'SET remaining = remaining - :cost',
              ConditionExpression: 'remaining >= :cost',
              ExpressionAttributeValues: { ':cost': 150 },
            },
          },
        ],
      }),
    );

    // Assess: the transaction is cancelled for the condition, and neither item changed.
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'ConditionalCheckFailed',
    ]);
    const a = await document.send(new GetCommand({ TableName, Key: { pk: `TEST#${id}`, sk: 'A' } }));
    const b = await document.send(new GetCommand({ TableName, Key: { pk: `TEST#${id}`, sk: 'B' } }));
    expect(a.Item?.remaining).toBe(100);
    expect(b.Item).toBeUndefined();
  });
});
