/**
 * Enrollment throughput: single enrollments through the HTTP API (the local API Gateway, the http-api
 * handler, its use case and the store) with 1, 8 and 32 concurrent clients, each client a village operator
 * of its own village; beside the same transaction called directly on `EnrollmentRepository.enroll` with the
 * same concurrency, in the same run against the same DynamoDB Local, so the ratio is the figure. Also: the
 * writes one enrollment costs, by table.
 */
import {
  benefitPackage,
  monthlyPremium,
  type Period,
  periodOf,
  reservationAtEnrollment,
  villagesOf,
} from '@lindung/core';
import { EnrollmentRepository, retryOnTransactionConflict } from '@lindung/store';
import { type BenchWorld, FULL_YEAR_PREMIUM, nikSequence } from './world.js';
import { type CountedClient, countWrites, type WriteTally } from './write-counter.js';

export interface ThroughputFigure {
  readonly path: 'http' | 'raw';
  readonly clients: number;
  /** Villages written: one per client, or one for all (`hot`). */
  readonly villages: number;
  readonly enrollments: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

export interface EnrollmentBench {
  readonly throughput: readonly ThroughputFigure[];
  /** Writes per enrollment through the API, by table (requests and units), over every HTTP level. */
  readonly httpWrites: { readonly enrollments: number; readonly tally: WriteTally };
  readonly rawWrites: { readonly enrollments: number; readonly tally: WriteTally };
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);

/** Runs `clients` loops until `seconds` have passed; each loop calls `once` and times it. */
const drive = async (clients: number, seconds: number, once: (client: number) => Promise<void>) => {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await once(client);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    enrollments: latencies.length,
    seconds: Math.round(elapsed * 10) / 10,
    perSecond: Math.round((latencies.length / elapsed) * 10) / 10,
    p50Ms: Math.round(quantile(latencies, 0.5)),
    p95Ms: Math.round(quantile(latencies, 0.95)),
  };
};

/** Waits until the writes to `table` stop growing (the stream projector works in batches, 5 s apart). */
const settled = async (tally: WriteTally, table: string, quietSeconds = 7) => {
  let last = -1;
  let quiet = 0;
  while (quiet < quietSeconds) {
    const now = tally.byTable[table]?.requests ?? 0;
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
};

export const benchEnrollment = async (
  world: BenchWorld,
  handlerClients: readonly CountedClient[],
  { levels = [1, 8, 32], seconds = 10, year = 2030, log = (_: string) => {} } = {},
): Promise<EnrollmentBench> => {
  const villages = villagesOf('15.05').map((v) => v.code as string);
  const need = levels.reduce((sum, n) => sum + 2 * n, 0) + 1;
  if (villages.length < need) throw new Error(`need ${need} villages, 15.05 has ${villages.length}`);
  // Room for 2,000 full-year workers in every village: no level ever meets a full quota.
  const commitmentId = await world.commitment(year, villages.slice(0, need), 2_000 * FULL_YEAR_PREMIUM);
  const start: Period = periodOf(year, 1);
  const benefit = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });
  const { periods, amount } = reservationAtEnrollment('fiscal-year', benefit, start);
  const premium = monthlyPremium(benefit, start);
  const nikFor = new Map(villages.map((code) => [code, nikSequence(code)]));
  const nextWorker = (village: string) => (nikFor.get(village) as ReturnType<typeof nikSequence>)();
  let used = 0;
  const take = (count: number) => {
    used += count;
    return villages.slice(used - count, used);
  };

  const throughput: ThroughputFigure[] = [];
  const httpCounter = countWrites(handlerClients, 'bench-http-enrollment');
  let httpEnrollments = 0;
  for (const clients of levels) {
    const mine = take(clients);
    const operators = await Promise.all(
      mine.map((code) =>
        world.as({ roles: ['village-operator'], villageCodes: [code], sub: `bench-${code}` }),
      ),
    );
    let keys = 0;
    const figure = await drive(clients, seconds, async (client) => {
      const village = mine[client] as string;
      await (operators[client] as (typeof operators)[number]).post(
        `/v1/villages/${village}/enrollments`,
        { commitmentId, worker: { nik: nextWorker(village).nik }, startPeriod: start },
        { headers: { 'idempotency-key': `bench-${village}-${keys++}` } },
      );
    });
    httpEnrollments += figure.enrollments;
    throughput.push({ path: 'http', clients, villages: clients, ...figure });
    log(`  HTTP, ${clients} clients: ${figure.perSecond}/s`);
  }
  await settled(httpCounter.tally, world.stack.tables.reports?.name ?? '');
  const httpTally = httpCounter.stop();

  const db = world.db;
  const repository = new EnrollmentRepository(db, world.stack.tables.ledger?.name ?? '');
  const enroll = (village: string) => {
    const { nik, birthDate } = nextWorker(village);
    // What the enroll use case hands the store, retried on a conflict like the bulk import does.
    return retryOnTransactionConflict(() =>
      repository.enroll({
        commitmentId,
        villageCode: village,
        nik,
        birthDate,
        sex: 'M',
        startPeriod: start,
        periods,
        reservedAmount: amount,
        monthlyPremium: premium,
        enrolledBy: 'bench',
        reservation: 'fiscal-year',
      }),
    );
  };
  const rawCounter = countWrites([world.dynamodb], 'bench-raw-enrollment');
  let rawEnrollments = 0;
  for (const clients of levels) {
    const mine = take(clients);
    const figure = await drive(clients, seconds, (client) =>
      enroll(mine[client] as string).then(() => undefined),
    );
    rawEnrollments += figure.enrollments;
    throughput.push({ path: 'raw', clients, villages: clients, ...figure });
    log(`  raw, ${clients} writers: ${figure.perSecond}/s`);
  }
  const rawTally = rawCounter.stop();
  // The bulk import's shape: 16 rows of one village at once, all reserving from the same quota item.
  const [hot] = take(1);
  const hotFigure = await drive(16, seconds, () => enroll(hot as string).then(() => undefined));
  throughput.push({ path: 'raw', clients: 16, villages: 1, ...hotFigure });
  log(`  raw, 16 writers on one village: ${hotFigure.perSecond}/s`);
  return {
    throughput,
    httpWrites: { enrollments: httpEnrollments, tally: httpTally },
    rawWrites: { enrollments: rawEnrollments, tally: rawTally },
  };
};
