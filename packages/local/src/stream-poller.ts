/**
 * Delivers DynamoDB stream records to a consumer handler the way a Lambda event source mapping does:
 * per shard, in order, parents before children, batches of up to `batchSize` gathered for up to the batching
 * window (MaximumBatchingWindowInSeconds: records that arrive within it share one invocation), partial batch failures
 * (resume from the first failed sequence number), a batch whose invocation fails split in two and each half
 * retried (`bisectOnError`, Lambda's BisectBatchOnFunctionError), bounded retries, then what still fails
 * goes to `onFailure` and the shard moves past it, as Lambda's on-failure destination does.
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
import { retrying } from '@lindung/core';
import type { StreamFilterPattern } from '@lindung/store';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './lambda.js';

/** A batch (or what is left of it) that the handler failed; `cause` is why. */
class BatchFailedError extends Error {
  override readonly name = 'BatchFailedError';
  constructor(cause: unknown) {
    super('the handler failed the batch', { cause });
  }
}

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
  /**
   * How long a batch waits for more records after its first (Lambda's MaximumBatchingWindowInSeconds): it is
   * delivered once it holds `batchSize` records or the window has passed since its first record (default 0).
   */
  readonly batchingWindowSeconds?: number;
  readonly timeoutSeconds: number;
  /** Retries of a failed batch (or half of one) before it goes to `onFailure` (default 5). */
  readonly maxRetryAttempts?: number;
  /** Split a batch whose invocation fails (throws, times out) in two and deliver each half on its own. */
  readonly bisectOnError?: boolean;
  readonly checkpoints?: CheckpointStore;
  readonly onError?: (error: unknown) => void;
  /** Receives a batch that still failed after every retry (Lambda's on-failure destination). */
  readonly onFailure?: (records: DynamoDBRecord[], error: unknown) => void;
  /**
   * Lambda's event filtering: only records matching one of these patterns are delivered (and counted towards
   * `batchSize`); the others are passed over, the checkpoint moving past them. Absent: every record.
   */
  readonly filters?: readonly StreamFilterPattern[];
}

/** Whether `value` matches a filter pattern: every field the pattern names matches (see StreamFilterPattern). */
export const matchesPattern = (pattern: StreamFilterPattern, value: unknown): boolean =>
  Object.entries(pattern).every(([field, rule]) => {
    const actual =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
    if (Array.isArray(rule)) return (rule as readonly unknown[]).includes(actual);
    return matchesPattern(rule as StreamFilterPattern, actual);
  });

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

/** What a stream consumer has done so far (a live object: it changes as the poller runs). */
export interface StreamPollerStats {
  /** Invocations of the handler. */
  batches: number;
  /** Records the handler processed successfully. */
  delivered: number;
  /** Records given up after every retry (handed to `onFailure`). */
  failed: number;
  /** Invocations that threw (a timeout included). */
  errors: number;
  /** Invocations that reported failed records (a partial batch response). */
  partialFailures: number;
  /** Batches split in two after a failed invocation. */
  bisections: number;
  /** The longest invocation, in milliseconds, and the size of its batch. */
  slowestMs: number;
  slowestRecords: number;
  /** The most records one invocation received. */
  largestBatch: number;
}

/** Runs one stream's consumer until stopped. */
export class StreamPoller {
  readonly stats: StreamPollerStats = {
    batches: 0,
    delivered: 0,
    failed: 0,
    errors: 0,
    partialFailures: 0,
    bisections: 0,
    slowestMs: 0,
    slowestRecords: 0,
    largestBatch: 0,
  };
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
      let answer: Awaited<ReturnType<typeof this.readRecords>>;
      try {
        answer = await this.readRecords(state.iterator);
      } catch (error) {
        // DynamoDB Local sometimes trims past an iterator taken on a young shard: every later read with it
        // fails the same way, so ask for a fresh one (from the checkpoint, else the trim horizon) next time.
        if (error instanceof TrimmedDataAccessException) state.iterator = undefined;
        throw error;
      }
      const { Records, lastRead, NextShardIterator } = await this.gather(answer);
      if (Records.length > 0) {
        // Every record ends delivered or handed to onFailure, so the shard goes on after the batch.
        await this.deliverBatch(shardId, Records);
        delivered += Records.length;
      }
      // Past the records the filters passed over after the batch's last (or of a read with none delivered).
      if (lastRead && lastRead !== Records.at(-1)?.dynamodb?.SequenceNumber) {
        await this.checkpoint(shardId, lastRead);
      }
      state.iterator = NextShardIterator;
      if (!NextShardIterator) state.closed = true;
    }
    return delivered;
  }

  private readRecords(iterator: string, limit = this.options.batchSize) {
    return this.options.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  }

  /**
   * A batch begun with `first`'s records that the filters pass, topped up from the same shard until it holds
   * `batchSize` records or the batching window has passed since it began (or the poller stops); with no
   * window, `first`'s as they are. `lastRead`: the sequence number of the last record read, passed over or not.
   */
  private async gather(first: { Records?: StreamRecord[]; NextShardIterator?: string }) {
    const { batchSize, batchingWindowSeconds = 0, streamArn, filters } = this.options;
    const records: DynamoDBRecord[] = [];
    let lastRead: string | undefined;
    const take = (read: readonly StreamRecord[] = []) => {
      for (const record of read) {
        const lambdaRecord = toLambdaRecord(record, streamArn);
        if (!filters || filters.some((pattern) => matchesPattern(pattern, lambdaRecord))) {
          records.push(lambdaRecord);
        }
        lastRead = record.dynamodb?.SequenceNumber ?? lastRead;
      }
    };
    take(first.Records);
    let iterator = first.NextShardIterator;
    // A read that found records may have more behind it (a read stops at 1 MB, whatever its limit): read on at
    // once, so a consumer catching up fills its batches without waiting, as Lambda's does; wait only once a
    // read finds nothing new.
    let behind = true;
    const windowEnds = performance.now() + batchingWindowSeconds * 1000;
    while (records.length > 0 && records.length < batchSize && iterator && this.running) {
      const left = windowEnds - performance.now();
      if (left <= 0) break;
      if (!behind) await this.idle(Math.min(250, left));
      const more = await this.readRecords(iterator, batchSize - records.length);
      take(more.Records);
      behind = (more.Records?.length ?? 0) > 0;
      iterator = more.NextShardIterator;
    }
    return { Records: records, lastRead, NextShardIterator: iterator };
  }

  /**
   * Delivers one batch: the prefix the handler processed is checkpointed, the rest retried with backoff;
   * after a failed invocation a batch of several records is split in two and each half delivered on its own
   * (a split is not a retry), so one record that keeps failing, or a batch too large for the timeout, does
   * not take its neighbours with it. What still fails after every retry goes to `onFailure`.
   */
  private async deliverBatch(shardId: string, records: DynamoDBRecord[]): Promise<void> {
    let batch = records;
    try {
      await retrying(
        async () => {
          const { failedFrom, error, threw } = await this.invoke(batch);
          const succeeded = batch.slice(0, failedFrom);
          const last = succeeded.at(-1)?.dynamodb?.SequenceNumber;
          if (last) await this.checkpoint(shardId, last);
          this.stats.delivered += succeeded.length;
          batch = batch.slice(failedFrom);
          if (batch.length === 0) return;
          if (threw && this.options.bisectOnError && batch.length > 1) {
            this.stats.bisections += 1;
            const half = Math.ceil(batch.length / 2);
            const [first, second] = [batch.slice(0, half), batch.slice(half)];
            batch = [];
            await this.deliverBatch(shardId, first);
            await this.deliverBatch(shardId, second);
            return;
          }
          throw new BatchFailedError(error);
        },
        {
          attempts: (this.options.maxRetryAttempts ?? 5) + 1,
          retryIf: (error) => error instanceof BatchFailedError,
          minDelayMs: 200,
          maxDelayMs: 2_000,
        },
      );
    } catch (failure) {
      if (!(failure instanceof BatchFailedError)) throw failure;
      // Out of retries: hand the records to the on-failure destination and move past them, as Lambda does.
      this.stats.failed += batch.length;
      this.options.onFailure?.(batch, failure.cause);
      const last = batch.at(-1)?.dynamodb?.SequenceNumber;
      if (last) await this.checkpoint(shardId, last);
    }
  }

  /** One invocation: where the batch failed (its length when it did not) and why. */
  private async invoke(
    batch: DynamoDBRecord[],
  ): Promise<{ failedFrom: number; threw: boolean; error?: unknown }> {
    const { handler, functionName, timeoutSeconds } = this.options;
    const started = performance.now();
    this.stats.batches += 1;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    try {
      const response = await handler({ Records: batch }, lambdaContext(functionName, timeoutSeconds));
      const failedSequences = new Set(response?.batchItemFailures.map((f) => f.itemIdentifier) ?? []);
      const index = batch.findIndex((r) => failedSequences.has(r.dynamodb?.SequenceNumber ?? ''));
      if (index < 0) return { failedFrom: batch.length, threw: false };
      this.stats.partialFailures += 1;
      const error = new Error(`record ${batch[index]?.dynamodb?.SequenceNumber} reported as failed`);
      return { failedFrom: index, threw: false, error };
    } catch (error) {
      this.stats.errors += 1;
      this.options.onError?.(error);
      return { failedFrom: 0, threw: true, error };
    } finally {
      const ms = performance.now() - started;
      if (ms > this.stats.slowestMs) {
        this.stats.slowestMs = Math.round(ms);
        this.stats.slowestRecords = batch.length;
      }
    }
  }

  private async checkpoint(shardId: string, sequenceNumber: string): Promise<void> {
    this.checkpoints[shardId] = sequenceNumber;
    await this.options.checkpoints?.save(this.checkpoints);
  }
}
