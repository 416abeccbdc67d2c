/**
 * Helpers for tests that run against the embedded local stack started by the global setup.
 * They refuse to run without it: an integration test must never silently hit another endpoint.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { ProvidedLocalStack } from './global-local-stack.js';

/** The local stack of this run; also points this worker's environment (and so every handler) at it. */
export const localStack = (): ProvidedLocalStack => {
  const stack = inject('localStack');
  const endpoint = stack?.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint?.startsWith('http://127.0.0.1')) {
    throw new Error('integration tests need the embedded local stack (run them through `npm test`)');
  }
  Object.assign(process.env, stack.env);
  return stack;
};

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** SDK clients bound to the local stack. */
export const localClients = (stack: ProvidedLocalStack) => {
  const region = stack.env.AWS_REGION ?? 'ap-southeast-3';
  const dynamodb = new DynamoDBClient({ endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB, region, credentials });
  return {
    dynamodb,
    document: DynamoDBDocumentClient.from(dynamodb),
    streams: new DynamoDBStreamsClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
      region,
      credentials,
    }),
    sqs: new SQSClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
      region,
      credentials,
      useQueueUrlAsEndpoint: false,
    }),
  };
};

/** Polls `probe` until it returns a value, or fails after `timeoutMs`: waiting for a condition, not a sleep. */
export const eventually = async <T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

/** Waits until no queue of the stack holds a message, visible, in flight or delayed: the work in flight is done. */
export const queuesIdle = (stack: ProvidedLocalStack, sqs: SQSClient) =>
  eventually(
    async () => {
      for (const queue of Object.values(stack.queues)) {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queue.url,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        if (Object.values(Attributes).some((n) => n !== '0')) return undefined;
      }
      return true;
    },
    { timeoutMs: 60_000, what: 'the queues to drain' },
  );
