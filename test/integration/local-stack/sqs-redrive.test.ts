import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { QueueDefinition } from '@lindung/messaging';
import type { SQSRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { provisionQueue } from '../../../packages/local/src/provision.js';
import { SqsPoller } from '../../../packages/local/src/sqs-poller.js';
import { eventually, localClients, localStack } from '../../support/local-stack.js';

// A queue shaped like the real ones, with a 1 s visibility timeout so that retries happen within a test.
const probeQueue = (id: string): QueueDefinition => ({
  id,
  description: 'test probe',
  visibilityTimeoutSeconds: 1,
  maxReceiveCount: 3,
  batchSize: 10,
  retentionDays: 1,
  dlqRetentionDays: 1,
  holdsPersonalData: false,
});

describe('SQS consumer semantics', () => {
  const stack = localStack();
  const { sqs } = localClients(stack);
  const pollers: SqsPoller[] = [];
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });

  it('moves a message that fails maxReceiveCount times to its dead-letter queue, and nothing else', async () => {
    // Prepare
    const queue = await provisionQueue(sqs, 'test', probeQueue(`poison-${ulid()}`.toLowerCase()));
    const attempts: string[] = [];
    const poller = new SqsPoller({
      sqs,
      queue,
      functionName: 'poison-probe',
      timeoutSeconds: 5,
      handler: async (event) => ({
        batchItemFailures: event.Records.flatMap((r) => {
          attempts.push(r.body);
          return r.body === 'poison' ? [{ itemIdentifier: r.messageId }] : [];
        }),
      }),
    });
    pollers.push(poller);
    poller.start();

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'poison' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'good' }));

    // Assess: the poison message is in the DLQ after exactly maxReceiveCount attempts; the good one was consumed.
    const dead = await eventually(
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queue.deadLetterUrl, WaitTimeSeconds: 1 }),
        );
        return Messages?.[0];
      },
      { what: 'the poison message in the DLQ' },
    );
    expect(dead.Body).toBe('poison');
    expect(attempts.filter((b) => b === 'poison')).toHaveLength(3);
    expect(attempts.filter((b) => b === 'good')).toHaveLength(1);
  });

  it('deletes the successful messages of a partly failed batch and retries only the failed one', async () => {
    // Prepare
    const queue = await provisionQueue(sqs, 'test', probeQueue(`partial-${ulid()}`.toLowerCase()));
    const seen: SQSRecord[] = [];
    let failedOnce = false;
    const poller = new SqsPoller({
      sqs,
      queue,
      functionName: 'partial-probe',
      timeoutSeconds: 5,
      handler: async (event) => {
        seen.push(...event.Records);
        const flaky = event.Records.find((r) => r.body === 'flaky');
        if (flaky && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: flaky.messageId }] };
        }
        return { batchItemFailures: [] };
      },
    });

    // Act
    for (const body of ['a', 'flaky', 'b']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    }
    pollers.push(poller);
    poller.start();

    // Assess
    await eventually(async () => (seen.filter((r) => r.body === 'flaky').length === 2 ? true : undefined), {
      what: 'the flaky message to come back once',
    });
    expect(seen.filter((r) => r.body === 'a')).toHaveLength(1);
    expect(seen.filter((r) => r.body === 'b')).toHaveLength(1);
    expect(seen.filter((r) => r.body === 'flaky').map((r) => r.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
    ]);
    // The figures the demo prints per consumer: each message delivered once, the one failure counted.
    await eventually(async () => (poller.stats.delivered === 3 ? true : undefined), {
      what: 'the three messages deleted and counted',
    });
    expect(poller.stats).toMatchObject({ delivered: 3, failed: 1 });
    expect(poller.stats.batches).toBeGreaterThanOrEqual(2);
  });

  it('hands out up to ten messages of one FIFO group a receive, in order, and none of it while they are in flight', async () => {
    // Prepare: twelve messages of one group (the sponsor's year of invoice-numbering), two of another.
    const queue = await provisionQueue(sqs, 'test', {
      ...probeQueue(`group-${ulid()}`.toLowerCase()),
      fifo: true,
    });
    const send = (group: string, body: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: body,
        }),
      );
    for (let i = 1; i <= 12; i++) await send('sponsor-2027', `a${i}`);
    for (const body of ['b1', 'b2']) await send('other-2027', body);
    const receive = async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 })))
        .Messages ?? [];

    // Act
    const first = await receive();
    const second = await receive();
    // …and the first batch's visibility timeout (1 s) runs out: it comes back whole, in its order.
    const again = await eventually(async () => {
      const batch = await receive();
      return batch.length > 0 ? batch : undefined;
    });

    // Assess: SQS gives a group's messages in order, several a receive, and locks the group until they are done.
    expect(first.map((m) => m.Body)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10']);
    expect(second.map((m) => m.Body)).toEqual(['b1', 'b2']);
    expect(again.map((m) => m.Body)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10']);
  });
});
