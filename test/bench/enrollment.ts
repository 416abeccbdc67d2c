/**
 * Enrollment throughput: single enrollments through the HTTP API (the local API Gateway, the http-api
 * handler, its use case and the store) with 1, 8 and 32 concurrent clients, each client a village operator
 * of its own village; beside the same transaction called directly on `EnrollmentRepository.enroll` with the
 * same concurrency, in the same run against the same DynamoDB Local, so the ratio is the figure. The two
 * paths take turns within each level, each turn starting on a reports projector that has caught up, so both
 * meet the same machine and neither pays for the other's projection. Also: the requests one enrollment costs
 * through the API, counted in each function bundle's own thread (`LINDUNG_REQUEST_COUNTS=1`: the handlers run
 * from their bundles in worker threads, where a client of this process sees nothing), and the writes of the
 * direct call by table.
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
import {
  addFunctionCounts,
  type FunctionRequests,
  functionCountsSince,
} from '../../packages/local/src/request-counts.js';
import { type BenchWorld, FULL_YEAR_PREMIUM, nikSequence } from './world.js';
import { countWrites, type WriteTally } from './write-counter.js';

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
  /**
   * AWS requests through the API over every HTTP level, by function and operation, each function's own
   * thread counting (the projector's catching up included); empty unless `LINDUNG_REQUEST_COUNTS=1`.
   */
  readonly httpRequests: { readonly enrollments: number; readonly byFunction: FunctionRequests };
  /** Writes of the direct call (this process's client), by table: requests and units. */
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
  return { latencies, seconds: (performance.now() - started) / 1000 };
};

type Slice = Awaited<ReturnType<typeof drive>>;

/** The figure of a level from its slices: every enrollment over the slices' summed time. */
const figureOf = (slices: readonly Slice[]) => {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const elapsed = slices.reduce((sum, s) => sum + s.seconds, 0);
  return {
    enrollments: latencies.length,
    seconds: Math.round(elapsed * 10) / 10,
    perSecond: Math.round((latencies.length / elapsed) * 10) / 10,
    p50Ms: Math.round(quantile(latencies, 0.5)),
    p95Ms: Math.round(quantile(latencies, 0.95)),
  };
};

/**
 * Waits until the reports projector has caught up: the records its stream poller delivered stop growing for
 * `quietSeconds` (the poller reads every 250 ms when idle). Counted in the main thread, so it works whether
 * the handlers run from their bundles or in this process. Without the projector there is nothing to wait for.
 */
const projectorCaughtUp = async (world: BenchWorld, quietSeconds = 3, timeoutSeconds = 180) => {
  const stats = world.stack.streamConsumers['reports-projector'];
  if (!stats) return;
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (stats.delivered !== last) {
      last = stats.delivered;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietSeconds * 1000) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** HTTP and direct take turns within a level, so both meet the same machine (its load changes by the minute). */
const TURNS = 2;

/** What the functions' bundles have sent so far, function by function (not this process: `main`). */
const functionRequests = (world: BenchWorld): FunctionRequests =>
  Object.fromEntries(Object.entries(world.stack.requestCounts()).filter(([fn]) => fn !== 'main'));

export const benchEnrollment = async (
  world: BenchWorld,
  { levels = [1, 8, 32], seconds = 10, year = 2030, log = (_: string) => {} } = {},
): Promise<EnrollmentBench> => {
  const villages = villagesOf('15.05').map((v) => v.code as string);
  const need = levels.reduce((sum, n) => sum + 2 * n, 0) + 1;
  if (villages.length < need) throw new Error(`need ${need} villages, 15.05 has ${villages.length}`);
  // Room for 20,000 full-year workers in every village: no level ever meets a full quota (16 writers on one
  // village reach 2,000 in 20 s on a quiet machine).
  const commitmentId = await world.commitment(year, villages.slice(0, need), 20_000 * FULL_YEAR_PREMIUM);
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
  // Each path's requests are counted during its own turns only, the projector's catching up included.
  let httpRequests: FunctionRequests = {};
  const rawCounter = countWrites([world.dynamodb], 'bench-raw-enrollment');
  rawCounter.pause();
  let keys = 0;
  for (const clients of levels) {
    const http = take(clients);
    const raw = take(clients);
    const operators = await Promise.all(
      http.map((code) =>
        world.as({ roles: ['village-operator'], villageCodes: [code], sub: `bench-${code}` }),
      ),
    );
    const httpOnce = async (client: number) => {
      const village = http[client] as string;
      await (operators[client] as (typeof operators)[number]).post(
        `/v1/villages/${village}/enrollments`,
        { commitmentId, worker: { nik: nextWorker(village).nik }, startPeriod: start },
        { headers: { 'idempotency-key': `bench-${village}-${keys++}` } },
      );
    };
    const rawOnce = (client: number) => enroll(raw[client] as string).then(() => undefined);
    const slices = { http: [] as Slice[], raw: [] as Slice[] };
    // Each turn starts on a projector that has caught up with the turn before, so neither path pays for
    // the other's reports; within its turn each path's own projection runs beside it (the whole stack).
    for (let turn = 0; turn < TURNS; turn++) {
      await projectorCaughtUp(world);
      const before = functionRequests(world);
      slices.http.push(await drive(clients, seconds / TURNS, httpOnce));
      await projectorCaughtUp(world);
      httpRequests = addFunctionCounts(httpRequests, functionCountsSince(functionRequests(world), before));
      rawCounter.resume();
      slices.raw.push(await drive(clients, seconds / TURNS, rawOnce));
      await projectorCaughtUp(world);
      rawCounter.pause();
    }
    const httpFigure = figureOf(slices.http);
    const rawFigure = figureOf(slices.raw);
    throughput.push({ path: 'http', clients, villages: clients, ...httpFigure });
    throughput.push({ path: 'raw', clients, villages: clients, ...rawFigure });
    log(
      `  ${clients} clients: HTTP ${httpFigure.perSecond}/s, direct ${rawFigure.perSecond}/s (${TURNS} turns each)`,
    );
  }
  const rawTally = rawCounter.stop();
  const enrollmentsOf = (path: ThroughputFigure['path']) =>
    throughput.filter((f) => f.path === path).reduce((sum, f) => sum + f.enrollments, 0);
  const httpEnrollments = enrollmentsOf('http');
  const rawEnrollments = enrollmentsOf('raw');
  // The bulk import's shape: 16 rows of one village at once, all reserving from the same quota item.
  const [hot] = take(1);
  await projectorCaughtUp(world);
  const hotFigure = figureOf([await drive(16, seconds, () => enroll(hot as string).then(() => undefined))]);
  throughput.push({ path: 'raw', clients: 16, villages: 1, ...hotFigure });
  log(`  raw, 16 writers on one village: ${hotFigure.perSecond}/s`);
  return {
    throughput,
    httpRequests: { enrollments: httpEnrollments, byFunction: httpRequests },
    rawWrites: { enrollments: rawEnrollments, tally: rawTally },
  };
};
