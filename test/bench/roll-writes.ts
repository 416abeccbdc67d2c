/**
 * What a period roll writes per village, for villages of 10 and of 200 workers: the roll's fan-out, then each
 * unit of work delivered to the renewal worker one at a time (so no count includes a retry after a race for
 * the sponsor's invoice number), then billing's acknowledgement and payment through the queues. Ledger-table
 * writes are attributed to the village they name; the reports table's (the stream projector's, batched over
 * villages) are given for the whole roll.
 */
import { type Period, periodOf, villagesOf } from '@lindung/core';
import { rollPeriod } from '@lindung/roll';
import { isVillageWork, type RenewalWork, RollRepository } from '@lindung/store';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from '../../packages/local/src/lambda.js';
import { importAndWait } from '../../scripts/demo/imports.js';
import { type BenchWorld, FULL_YEAR_PREMIUM, nikSequence } from './world.js';
import { type CountedClient, countWrites, type WriteFigures } from './write-counter.js';

export interface RollWrites {
  readonly period: Period;
  /** Ledger-table writes of each village, with its number of workers. */
  readonly villages: readonly {
    readonly villageCode: string;
    readonly workers: number;
    readonly writes: WriteFigures;
  }[];
  /** Reports-table writes of the whole roll (the projector's batches). */
  readonly reports: WriteFigures;
}

const record = (unit: RenewalWork, n: number): SQSRecord => ({
  messageId: `bench-${n}`,
  receiptHandle: `bench-${n}`,
  body: JSON.stringify({
    type: 'renewal.requested',
    version: 1,
    id: `${unit.action}:${unit.period}:${unit.commitmentId}:${unit.villageCode}`,
    occurredAt: new Date().toISOString(),
    data: unit,
  }),
  attributes: {} as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:ap-southeast-3:000000000000:lindung-local-renewal-work',
  awsRegion: 'ap-southeast-3',
});

export const benchRollWrites = async (
  world: BenchWorld,
  handlerClients: readonly CountedClient[],
  { year = 2031, sizes = [10, 10, 200, 200], months = 3, log = (_: string) => {} } = {},
): Promise<RollWrites[]> => {
  const { handler } = (await import('../../functions/queue/renewal-worker.js')) as {
    handler: (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;
  };
  const villages = villagesOf('15.08')
    .slice(0, sizes.length)
    .map((v) => v.code as string);
  const largest = Math.max(...sizes);
  const commitmentId = await world.commitment(year, villages, largest * FULL_YEAR_PREMIUM);
  for (const [i, villageCode] of villages.entries()) {
    const next = nikSequence(villageCode);
    const operator = await world.as({ roles: ['village-operator'], villageCodes: [villageCode] });
    const rows = Array.from({ length: sizes[i] ?? 0 }, () => ({
      nik: next().nik,
      startPeriod: periodOf(year, 1),
    }));
    const job = await importAndWait(operator, villageCode, { commitmentId, rows });
    if (job.rows.enrolled !== rows.length) {
      throw new Error(`${villageCode}: ${job.rows.enrolled} of ${rows.length} workers enrolled`);
    }
  }
  await world.queuesIdle();

  const db = world.db;
  const ledgerTable = world.stack.tables.ledger?.name ?? '';
  const reportsTable = world.stack.tables.reports?.name ?? '';
  const rolls: RollWrites[] = [];
  let n = 0;
  for (let month = 1; month <= months; month++) {
    const period = periodOf(year, month);
    const units: RenewalWork[] = [];
    await rollPeriod(new RollRepository(db, ledgerTable), period, async (work) => {
      units.push(...work.filter(isVillageWork).filter((u) => u.commitmentId === commitmentId));
    });
    const counter = countWrites(handlerClients, `bench-roll-${period}`);
    for (const unit of units) {
      const response = await handler({ Records: [record(unit, ++n)] }, lambdaContext('renewal-worker', 150));
      if (response.batchItemFailures.length > 0) throw new Error(`the roll of ${unit.villageCode} failed`);
    }
    await world.queuesIdle();
    // The stream projector folds the roll's changes in batches, a few seconds apart.
    for (let quiet = 0, last = -1; quiet < 7; ) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const now = counter.tally.byTable[reportsTable]?.requests ?? 0;
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    const tally = counter.stop();
    const roll: RollWrites = {
      period,
      villages: villages.map((villageCode, i) => ({
        villageCode,
        workers: sizes[i] ?? 0,
        writes: tally.byVillage[ledgerTable]?.[villageCode] ?? { requests: 0, units: 0 },
      })),
      reports: tally.byTable[reportsTable] ?? { requests: 0, units: 0 },
    };
    rolls.push(roll);
    log(
      `  ${period}: ${roll.villages.map((v) => `${v.workers} workers ${v.writes.requests} writes/${v.writes.units} WCU`).join('; ')}`,
    );
  }
  return rolls;
};
