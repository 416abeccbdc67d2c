/**
 * Helpers for tests that run against the embedded local stack started by the global setup.
 * They refuse to run without it: an integration test must never silently hit another endpoint.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queueDefinitions } from '@lindung/messaging';
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

/**
 * Polls `probe` until it returns a value, or fails after `timeoutMs`: waiting for a condition, not a sleep.
 * `what` names the condition; as a function, it is asked at the timeout (what was still missing).
 */
export const eventually = async <T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' as string | (() => string) } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

/**
 * How long to wait for the stack's queued work: a message whose consumer failed stays away for its queue's
 * visibility timeout (180 s at most) before it is done again, as on AWS; this outlasts one such redelivery.
 */
export const queuedWorkTimeoutMs =
  Math.max(...queueDefinitions.map((q) => q.visibilityTimeoutSeconds)) * 1_000 + 30_000;

/**
 * Waits until no queue of the stack holds a message, visible, in flight or delayed: the work in flight is done.
 * A message whose consumer failed comes back after its visibility timeout, as on AWS, so the wait outlasts one
 * such redelivery; a wait that long is reported (the queue and its counts), and one longer fails naming them.
 */
export const queuesIdle = async (stack: ProvidedLocalStack, sqs: SQSClient) => {
  let busy = '';
  const started = Date.now();
  const done = await eventually(
    async () => {
      for (const [id, queue] of Object.entries(stack.queues)) {
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
        if (Object.values(Attributes).some((n) => n !== '0')) {
          busy = `${id}: ${Object.entries(Attributes)
            .map(([name, n]) => `${name.replace('ApproximateNumberOfMessages', '') || 'Visible'} ${n}`)
            .join(', ')}`;
          return undefined;
        }
      }
      return true;
    },
    { timeoutMs: queuedWorkTimeoutMs, what: () => `the queues to drain (still busy: ${busy})` },
  );
  const waitedMs = Date.now() - started;
  if (waitedMs > 60_000) {
    console.warn(`the queues took ${Math.round(waitedMs / 1_000)} s to drain (the last busy: ${busy})`);
  }
  return done;
};
