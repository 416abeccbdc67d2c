/** Sends validated messages to one queue, ten per request, and fails loudly if any is not accepted. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { retrying } from '@lindung/core';
import type * as z from 'zod/mini';

export interface Publisher<M> {
  /** Sends every message (after validating it); resolves once SQS has accepted all of them. */
  send(messages: readonly M[], options?: { delaySeconds?: number }): Promise<void>;
}

/** How a FIFO queue's messages are grouped and de-duplicated. */
export interface FifoKeys<M> {
  readonly groupOf: (message: M) => string;
  readonly deduplicationIdOf: (message: M) => string;
}

const BATCH = 10;
const ATTEMPTS = 5;

/** Some entries of a batch were not accepted (throttled, an SQS-side failure); those are sent again. */
export class MessagesNotAcceptedError extends Error {
  override readonly name = 'MessagesNotAcceptedError';
  constructor(count: number, codes: readonly (string | undefined)[]) {
    super(`SQS did not accept ${count} messages: ${codes.join(', ')}`);
  }
}

/** A publisher on one queue; `fifo` names each message's group and de-duplication id on a FIFO queue. */
export const publisher = <S extends z.ZodMiniType>(
  sqs: SQSClient,
  queueUrl: string,
  schema: S,
  fifo?: FifoKeys<z.infer<S>>,
): Publisher<z.infer<S>> => ({
  async send(messages, options = {}) {
    for (let start = 0; start < messages.length; start += BATCH) {
      let pending = messages.slice(start, start + BATCH).map((m, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify(schema.parse(m)),
        ...(options.delaySeconds && { DelaySeconds: options.delaySeconds }),
        ...(fifo && { MessageGroupId: fifo.groupOf(m), MessageDeduplicationId: fifo.deduplicationIdOf(m) }),
      }));
      // Only the entries SQS did not accept go again; a request that fails whole is the SDK's to retry.
      await retrying(
        async () => {
          const { Failed = [] } = await sqs.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
          );
          const failed = new Set(Failed.map((f) => f.Id));
          pending = pending.filter((entry) => failed.has(entry.Id));
          if (pending.length > 0) {
            throw new MessagesNotAcceptedError(
              pending.length,
              Failed.map((f) => f.Code),
            );
          }
        },
        { attempts: ATTEMPTS, retryIf: (error) => error instanceof MessagesNotAcceptedError },
      );
    }
  },
});
