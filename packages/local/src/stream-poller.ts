/**
 * Delivers DynamoDB stream records to a consumer handler the way a Lambda event source mapping does:
 * per shard, in order, parents before children, batches of up to `batchSize`, partial batch failures
 * (resume from the first failed sequence number), bounded retries, then the batch goes to `onFailure`.
 * Checkpoints can be persisted so a restart of the local stack does not redeliver what was processed.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './lambda.js';

export interface CheckpointStore {
  load(): Promise<Record<string, string>>;
  save(checkpoints: Record<string, string>): Promise<void>;
}

export interface StreamPollerOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly functionName: string;
  readonly handler: LambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>;
  readonly batchSize: number;
  readonly timeoutSeconds: number;
  readonly maxRetryAttempts?: number;
  readonly checkpoints?: CheckpointStore;
  readonly onError?: (error: unknown) => void;
  /** Receives a batch that still failed after every retry (Lambda's on-failure destination). */
  readonly onFailure?: (records: DynamoDBRecord[], error: unknown) => void;
}

interface ShardState {
  readonly shard: Shard;
  iterator?: string;
  closed: boolean;
}

const toLambdaRecord = (record: StreamRecord, streamArn: string): DynamoDBRecord => {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'ap-southeast-3',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created && { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
      Keys: record.dynamodb?.Keys,
      NewImage: record.dynamodb?.NewImage,
      OldImage: record.dynamodb?.OldImage,
      SequenceNumber: record.dynamodb?.SequenceNumber,
      SizeBytes: record.dynamodb?.SizeBytes,
      StreamViewType: record.dynamodb?.StreamViewType,
    },
  } as DynamoDBRecord;
};

/** Runs one stream's consumer until stopped. */
export class StreamPoller {
  readonly stats = { batches: 0, delivered: 0, failed: 0 };
  private readonly shards = new Map<string, ShardState>();
  private checkpoints: Record<string, string> = {};
  private running = false;
  private loopPromise: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: StreamPollerOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.checkpoints = (await this.options.checkpoints?.load()) ?? {};
    this.running = true;
    this.loopPromise = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopPromise;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const delivered = await this.pollOnce();
        if (delivered === 0) await this.idle(250);
      } catch (error) {
        this.options.onError?.(error);
        await this.idle(1000);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async discoverShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.options.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !this.shards.has(shard.ShardId)) {
          this.shards.set(shard.ShardId, { shard, closed: false });
        }
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const after = this.checkpoints[shardId];
    const request = after
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      const { ShardIterator } = await this.options.streams.send(
        new GetShardIteratorCommand({ StreamArn: this.options.streamArn, ShardId: shardId, ...request }),
      );
      return ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException) || !after) throw error;
      const { ShardIterator } = await this.options.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      return ShardIterator;
    }
  }

  private parentOpen(state: ShardState): boolean {
    const parent = state.shard.ParentShardId ? this.shards.get(state.shard.ParentShardId) : undefined;
    return parent !== undefined && !parent.closed;
  }

  /** Reads every readable shard once and delivers what it finds; returns how many records were delivered. */
  async pollOnce(): Promise<number> {
    await this.discoverShards();
    let delivered = 0;
    for (const [shardId, state] of this.shards) {
      if (state.closed || this.parentOpen(state)) continue;
      state.iterator ??= await this.iteratorFor(shardId);
      if (!state.iterator) {
        state.closed = true;
        continue;
      }
      const { Records = [], NextShardIterator } = await this.options.streams.send(
        new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.options.batchSize }),
      );
      if (Records.length > 0) {
        const ok = await this.deliver(shardId, Records);
        delivered += Records.length;
        if (!ok) {
          // The shard's iterator restarts after the last checkpoint: the failed records come again.
          state.iterator = undefined;
          continue;
        }
      }
      state.iterator = NextShardIterator;
      if (!NextShardIterator) state.closed = true;
    }
    return delivered;
  }

  private async deliver(shardId: string, records: StreamRecord[]): Promise<boolean> {
    const { handler, functionName, timeoutSeconds, streamArn } = this.options;
    let batch = records.map((r) => toLambdaRecord(r, streamArn));
    const maxAttempts = (this.options.maxRetryAttempts ?? 5) + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts && batch.length > 0; attempt++) {
      let failedFrom: number = batch.length;
      try {
        const response = await handler({ Records: batch }, lambdaContext(functionName, timeoutSeconds));
        const failedSequences = new Set(response?.batchItemFailures.map((f) => f.itemIdentifier) ?? []);
        const index = batch.findIndex((r) => failedSequences.has(r.dynamodb?.SequenceNumber ?? ''));
        if (index >= 0) {
          failedFrom = index;
          lastError = new Error(`record ${batch[index]?.dynamodb?.SequenceNumber} reported as failed`);
        }
      } catch (error) {
        failedFrom = 0;
        lastError = error;
        this.options.onError?.(error);
      }
      const succeeded = batch.slice(0, failedFrom);
      const last = succeeded.at(-1)?.dynamodb?.SequenceNumber;
      if (last) await this.checkpoint(shardId, last);
      this.stats.delivered += succeeded.length;
      this.stats.batches += 1;
      batch = batch.slice(failedFrom);
      if (batch.length > 0 && attempt < maxAttempts) {
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
      }
    }
    if (batch.length === 0) return true;
    // Out of retries: hand the batch to the on-failure destination and move past it, as Lambda does.
    this.stats.failed += batch.length;
    this.options.onFailure?.(batch, lastError);
    const last = batch.at(-1)?.dynamodb?.SequenceNumber;
    if (last) await this.checkpoint(shardId, last);
    return false;
  }

  private async checkpoint(shardId: string, sequenceNumber: string): Promise<void> {
    this.checkpoints[shardId] = sequenceNumber;
    await this.options.checkpoints?.save(this.checkpoints);
  }
}
