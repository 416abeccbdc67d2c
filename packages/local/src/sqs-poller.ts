/**
 * Delivers SQS messages to a consumer handler the way a Lambda event source mapping does: batches of up
 * to `batchSize`, partial batch failures (`batchItemFailures`), failed messages left to reappear after the
 * visibility timeout, and redrive to the dead-letter queue by the queue's own `maxReceiveCount`.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './lambda.js';
import type { ProvisionedQueue } from './provision.js';

export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queue: ProvisionedQueue;
  readonly functionName: string;
  readonly handler: LambdaHandler<SQSEvent, SQSBatchResponse | undefined>;
  readonly timeoutSeconds: number;
  /** Parallel pollers, like Lambda's concurrent batches. */
  readonly concurrency?: number;
  readonly onError?: (error: unknown) => void;
}

export interface PollerStats {
  batches: number;
  delivered: number;
  failed: number;
}

const toRecord = (message: Message, queue: ProvisionedQueue, region: string): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: message.Attributes?.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp:
      message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    // FIFO queues: Powertools' FIFO processor keeps a failed group's later messages back by this.
    ...(message.Attributes?.MessageGroupId && { MessageGroupId: message.Attributes.MessageGroupId }),
    ...(message.Attributes?.MessageDeduplicationId && {
      MessageDeduplicationId: message.Attributes.MessageDeduplicationId,
    }),
    ...(message.Attributes?.SequenceNumber && { SequenceNumber: message.Attributes.SequenceNumber }),
  },
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: queue.arn,
  awsRegion: region,
});

/** Runs one queue's consumer until stopped. */
export class SqsPoller {
  readonly stats: PollerStats = { batches: 0, delivered: 0, failed: 0 };
  private running = false;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: SqsPollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const concurrency = this.options.concurrency ?? 1;
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  /** Stops receiving; a batch already handed to the handler is finished first. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Receives one batch and delivers it; returns how many messages were received. */
  async pollOnce(): Promise<number> {
    const { sqs, queue, handler, functionName, timeoutSeconds } = this.options;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(queue.definition.batchSize, 10),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    if (Messages.length === 0) return 0;
    const region = (await sqs.config.region()) ?? 'ap-southeast-3';
    const records = Messages.map((m) => toRecord(m, queue, region));
    const failed = new Set<string>();
    try {
      const response = await handler({ Records: records }, lambdaContext(functionName, timeoutSeconds));
      for (const failure of response?.batchItemFailures ?? []) failed.add(failure.itemIdentifier);
      if (failed.size > 0) {
        // On AWS the function's own log says why; here the failure would pass unseen while its messages wait.
        this.options.onError?.(
          new Error(
            `${failed.size} of ${records.length} messages failed (batchItemFailures); they come back after ` +
              `the visibility timeout of ${queue.definition.visibilityTimeoutSeconds} s`,
          ),
        );
      }
    } catch (error) {
      // A thrown handler fails the whole batch, as on Lambda.
      this.options.onError?.(error);
      for (const record of records) failed.add(record.messageId);
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    this.stats.batches += 1;
    this.stats.delivered += done.length;
    this.stats.failed += failed.size;
    return records.length;
  }
}
