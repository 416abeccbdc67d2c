import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamPoller, type StreamPollerOptions } from '../../../packages/local/src/stream-poller.js';
import { eventually, localClients, localStack } from '../../support/local-stack.js';

describe('DynamoDB stream delivery', () => {
  const stack = localStack();
  const { document, streams } = localClients(stack);
  const ledger = stack.tables.ledger;
  /** A consumer of the ledger table's stream: batches of up to 100, 10 s to take each. */
  const probe = (
    options: Pick<StreamPollerOptions, 'functionName' | 'handler'> & Partial<StreamPollerOptions>,
  ) =>
    new StreamPoller({
      streams,
      streamArn: ledger?.streamArn ?? '',
      batchSize: 100,
      timeoutSeconds: 10,
      ...options,
    });
  const received: DynamoDBRecord[] = [];
  let failOnce = true;
  const poller = probe({
    functionName: 'stream-probe',
    handler: async (event) => {
      // The first delivery of the marked record fails, to prove the batch resumes from it.
      const failing = event.Records.find((r) => r.dynamodb?.NewImage?.sk?.S === 'FAIL-ONCE');
      if (failing && failOnce) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: failing.dynamodb?.SequenceNumber ?? '' }] };
      }
      received.push(...event.Records);
      return { batchItemFailures: [] };
    },
  });
  afterAll(() => poller.stop());

  it('delivers a written item to the consumer handler with its new image', async () => {
    // Prepare
    await poller.start();
    const id = `TEST#${ulid()}`;

    // Act
    await document.send(
      new PutCommand({ TableName: ledger?.name, Item: { pk: id, sk: 'S', amount: 16_800 } }),
    );

    // Assess
    const record = await eventually(async () => received.find((r) => r.dynamodb?.Keys?.pk?.S === id), {
      what: 'the stream record',
    });
    expect(record.eventName).toBe('INSERT');
    expect(record.eventSource).toBe('aws:dynamodb');
    expect(record.dynamodb?.NewImage?.amount?.N).toBe('16800');
  });

  it('redelivers a record the handler reported as failed, in order, exactly once after success', async () => {
    // Prepare
    const id = `TEST#${ulid()}`;

    // Act
    await document.send(new PutCommand({ TableName: ledger?.name, Item: { pk: id, sk: 'FAIL-ONCE' } }));
    await document.send(new PutCommand({ TableName: ledger?.name, Item: { pk: id, sk: 'AFTER' } }));

    // Assess
    await eventually(
      async () =>
        received.some((r) => r.dynamodb?.Keys?.sk?.S === 'AFTER' && r.dynamodb.Keys.pk?.S === id)
          ? true
          : undefined,
      {
        what: 'the record after the failed one',
      },
    );
    const mine = received.filter((r) => r.dynamodb?.Keys?.pk?.S === id).map((r) => r.dynamodb?.Keys?.sk?.S);
    expect(mine).toEqual(['FAIL-ONCE', 'AFTER']);
  });

  it('splits a batch whose invocation fails until the failing record is alone, and gives up only that one', async () => {
    // Prepare: a consumer that throws on any batch holding the poisoned record, so its neighbours fail with it.
    const id = `TEST#${ulid()}`;
    const skOf = (r: DynamoDBRecord) => (r.dynamodb?.Keys?.pk?.S === id ? [r.dynamodb.Keys.sk?.S] : []);
    const delivered: (string | undefined)[] = [];
    const givenUp: (string | undefined)[] = [];
    const bisecting = probe({
      functionName: 'stream-bisect-probe',
      maxRetryAttempts: 1,
      bisectOnError: true,
      handler: async (event) => {
        const mine = event.Records.flatMap(skOf);
        if (mine.includes('POISON')) throw new Error('poisoned');
        delivered.push(...mine);
        return { batchItemFailures: [] };
      },
      onFailure: (records) => givenUp.push(...records.flatMap(skOf)),
    });

    // Act
    for (const sk of ['BEFORE', 'POISON', 'AFTER']) {
      await document.send(new PutCommand({ TableName: ledger?.name, Item: { pk: id, sk } }));
    }
    await bisecting.start();
    try {
      await eventually(async () => (delivered.includes('AFTER') && givenUp.length > 0 ? true : undefined), {
        what: 'the records around the poisoned one',
      });
    } finally {
      await bisecting.stop();
    }

    // Assess
    expect(delivered).toEqual(['BEFORE', 'AFTER']);
    expect(givenUp).toEqual(['POISON']);
    expect(bisecting.stats).toMatchObject({ failed: 1 });
    expect(bisecting.stats.bisections).toBeGreaterThan(0);
  });

  it("delivers only the records its filters match, as Lambda's event filtering does", async () => {
    // Prepare: a consumer of invoice headers of one key; a line chunk written between two headers.
    const id = `TEST#${ulid()}`;
    const seen: DynamoDBRecord[] = [];
    const filtering = probe({
      functionName: 'stream-filter-probe',
      batchingWindowSeconds: 1,
      filters: [{ dynamodb: { NewImage: { pk: { S: [id] }, entity: { S: ['invoice'] } } } }],
      handler: async (event) => {
        seen.push(...event.Records);
        return { batchItemFailures: [] };
      },
    });
    await filtering.start();

    // Act
    try {
      for (const [sk, entity] of [
        ['HEADER', 'invoice'],
        ['LINES#0', 'invoice-lines'],
        ['HEADER-AGAIN', 'invoice'],
      ]) {
        await document.send(new PutCommand({ TableName: ledger?.name, Item: { pk: id, sk, entity } }));
      }
      await eventually(
        async () => seen.some((r) => r.dynamodb?.Keys?.sk?.S === 'HEADER-AGAIN') || undefined,
        {
          what: 'the second header',
        },
      );
    } finally {
      await filtering.stop();
    }

    // Assess: the other tests' records and the line chunk never reached the handler.
    expect(seen.map((r) => r.dynamodb?.Keys?.sk?.S)).toEqual(['HEADER', 'HEADER-AGAIN']);
    expect(filtering.stats.delivered).toBe(2);
  });

  it('gathers the records that arrive within the batching window into one invocation, as Lambda does', async () => {
    // Prepare: the projector's window (5 s); three writes arriving 0.4 s apart, each of which a poller without
    // a window delivers on its own (it reads the shard every 250 ms).
    const id = `TEST#${ulid()}`;
    const batches: (string | undefined)[][] = [];
    const gathering = probe({
      functionName: 'stream-window-probe',
      batchingWindowSeconds: 5,
      handler: async (event) => {
        const mine = event.Records.filter((r) => r.dynamodb?.Keys?.pk?.S === id);
        if (mine.length > 0) batches.push(mine.map((r) => r.dynamodb?.Keys?.sk?.S));
        return { batchItemFailures: [] };
      },
    });
    await gathering.start();

    // Act
    try {
      for (const sk of ['FIRST', 'SECOND', 'THIRD']) {
        await document.send(new PutCommand({ TableName: ledger?.name, Item: { pk: id, sk } }));
        await new Promise((spaced) => setTimeout(spaced, 400));
      }
      await eventually(async () => (batches.flat().includes('THIRD') ? true : undefined), {
        what: 'the third record',
      });
    } finally {
      await gathering.stop();
    }

    // Assess
    expect(batches).toEqual([['FIRST', 'SECOND', 'THIRD']]);
  });
});
