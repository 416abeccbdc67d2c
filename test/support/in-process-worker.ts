/**
 * The renewal worker run in the test's own process, fed as SQS would feed it, with a DynamoDB client that can be
 * made to misbehave (throttles, lost responses) or counted: the period-roll and contribution e2e tests use it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isVillageWork, type RollWork } from '@lindung/store';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { onTestFinished } from 'vitest';
import { lambdaContext } from '../../packages/local/src/lambda.js';

/** A seeded pseudo-random generator (mulberry32), so a faulty run is reproducible. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const throttle = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput (injected)'), {
    name: 'ProvisionedThroughputExceededException',
  });

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

/**
 * The renewal worker's handler loaded in this process (as Lambda loads it), fed by the test as SQS would:
 * batches of five, failed messages delivered again. Its SDK client can be made to misbehave or counted.
 */
export const inProcessWorker = async (db: DynamoDBDocumentClient, tableName: string) => {
  const { handler } = (await import('../../functions/queue/renewal-worker.js')) as {
    handler: (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;
  };
  const { dynamodbClient } = await import('../../functions/shared/clients.js');
  const { rollPeriod } = await import('@lindung/roll');
  const { RollRepository } = await import('@lindung/store');
  let redeliveries = 0;
  let sequence = 0;
  /** Puts `around` on every call of the worker's client until the returned stop, or the end of the test. */
  const intercept = (
    name: string,
    around: (command: string, input: unknown, send: () => Promise<unknown>) => Promise<unknown>,
  ) => {
    dynamodbClient.middlewareStack.add(
      (nextHandler, context) => async (args) =>
        (await around(context.commandName ?? '', (args as { input?: unknown }).input, () =>
          nextHandler(args),
        )) as Awaited<ReturnType<typeof nextHandler>>,
      { step: 'initialize', name },
    );
    const stop = () => void dynamodbClient.middlewareStack.remove(name);
    onTestFinished(stop);
    return stop;
  };
  const record = (unit: RollWork): SQSRecord => {
    const body = JSON.stringify({
      type: 'renewal.requested',
      version: 1,
      id: isVillageWork(unit)
        ? `${unit.action}:${unit.period}:${unit.commitmentId}:${unit.villageCode}`
        : `${unit.action}:${unit.period}:${unit.partnerId}`,
      occurredAt: new Date().toISOString(),
      data: unit,
    });
    return {
      messageId: `m-${++sequence}`,
      receiptHandle: `r-${sequence}`,
      body,
      attributes: {} as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-southeast-3:000000000000:lindung-local-renewal-work',
      awsRegion: 'ap-southeast-3',
    };
  };
  return {
    redeliveries: () => redeliveries,
    async rollAndDeliverTwice(
      p: string,
      options: {
        once?: boolean;
        batchSize?: number;
        commitmentId?: string;
        partnerIds?: readonly string[];
      } = {},
    ) {
      const units: RollWork[] = [];
      // Only the units asked for (a partner's only when named): other tests share the stack.
      const wanted = (u: RollWork) =>
        isVillageWork(u)
          ? !options.partnerIds && (!options.commitmentId || u.commitmentId === options.commitmentId)
          : (options.partnerIds?.includes(u.partnerId) ?? false);
      await rollPeriod(new RollRepository(db, tableName), p as RollWork['period'], async (work) => {
        units.push(...work.filter(wanted));
      });
      let pending = units.flatMap((u) => (options.once ? [record(u)] : [record(u), record(u)]));
      for (let round = 0; pending.length > 0; round++) {
        if (round > 100) throw new Error(`${pending.length} units still failing after 100 redeliveries`);
        const failed: SQSRecord[] = [];
        const size = options.batchSize ?? 5;
        for (let i = 0; i < pending.length; i += size) {
          const batch = pending.slice(i, i + size);
          let failedIds: Set<string>;
          try {
            const response = await handler({ Records: batch }, lambdaContext('renewal-worker', 150));
            failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          } catch {
            failedIds = new Set(batch.map((r) => r.messageId)); // the whole batch failed
          }
          failed.push(...batch.filter((r) => failedIds.has(r.messageId)));
        }
        redeliveries += failed.length;
        pending = failed;
      }
    },
    /**
     * Makes the worker's DynamoDB client throw: a throttle before a call (`throttle` of calls), or a lost
     * response after a write that happened (up to `lost` of calls, writes only). Until `stop`, or the end of the
     * test: a failed test never leaves its faults to the next.
     */
    injectFaults(seed: number, rates: { throttle: number; lost: number } = { throttle: 0.04, lost: 0.1 }) {
      const next = random(seed);
      const injected = { throttled: 0, lostResponses: 0 };
      const stop = intercept(`faults-${seed}`, async (command, _input, send) => {
        const roll = next();
        if (roll < rates.throttle) {
          injected.throttled++;
          throw throttle();
        }
        const result = await send();
        if (WRITES.has(command) && roll < rates.lost) {
          injected.lostResponses++; // the write happened; the worker never hears of it
          throw Object.assign(new Error('socket hang up (injected)'), { name: 'TimeoutError' });
        }
        return result;
      });
      return { injected, stop };
    },
    /**
     * Throttles the first call the worker's client makes whose input `matches`, before it reaches DynamoDB: a
     * unit that dies between two of its writes. Returns how many calls were refused so (0 or 1).
     */
    failFirst(matches: (command: string, input: unknown) => boolean) {
      let refused = 0;
      intercept(`fail-first-${++sequence}`, async (command, input, send) => {
        if (refused === 0 && matches(command, input)) {
          refused++;
          throw throttle();
        }
        return send();
      });
      return { refused: () => refused };
    },
    /** Counts the write requests the worker sends, per village, until `stop` (or the end of the test). */
    countWrites() {
      const perVillage: Record<string, number> = {};
      const stop = intercept(`count-${++sequence}`, (command, input, send) => {
        // Every write request that reaches DynamoDB, refused conditions included: they cost a write unit too.
        if (WRITES.has(command)) {
          const village = /\d{2}\.\d{2}\.\d{2}\.\d{4}/.exec(JSON.stringify(input))?.[0] ?? 'other';
          perVillage[village] = (perVillage[village] ?? 0) + 1;
        }
        return send();
      });
      return {
        stop: () => {
          stop();
          return perVillage;
        },
      };
    },
  };
};
