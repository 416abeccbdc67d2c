/**
 * A model of one month's period roll for the whole country on AWS, past what one machine can run: 83,762
 * villages and about 3 million workers paid by regional budgets. Every figure is computed here from the
 * parameters below, which are either counted in the code path of one village's renewal (requests), measured
 * on DynamoDB Local (write units, BENCHMARKS.md §3) or taken from the CDK app (concurrency, memory);
 * prices are parameters (us-east-1 list prices, on-demand; Jakarta's are higher, so scale them).
 *
 *   npx tsx test/bench/national-model.ts [--villages N] [--workers N] [--sponsors N] [--concurrency N]
 *                                        [--latency-ms N] [--transaction-ms N] [--local-villages-per-second N]
 */
import { parseArgs } from 'node:util';
import { renewalWorkerFunction } from '../../functions/registry.js';

const { values } = parseArgs({
  options: {
    villages: { type: 'string' },
    workers: { type: 'string' },
    sponsors: { type: 'string' },
    concurrency: { type: 'string' },
    'latency-ms': { type: 'string' },
    'transaction-ms': { type: 'string' },
    'local-villages-per-second': { type: 'string' },
  },
});
const number = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);

/** The country (Kemendagri's village count) and the workers its regional budgets would cover. */
const villages = number(values.villages, 83_762);
const workers = number(values.workers, 3_000_000);
/** Payers: 38 provinces and 514 regencies and cities, each paying its own villages. */
const sponsors = number(values.sponsors, 552);
/** The renewal worker's event source maximum concurrency (functions/registry.ts). */
const concurrency = number(
  values.concurrency,
  renewalWorkerFunction.trigger.kind === 'queue' ? (renewalWorkerFunction.trigger.maxConcurrency ?? 1000) : 1,
);
/** Wall time of one village's renewal on AWS: ~9 sequential DynamoDB calls at 5–10 ms, a transaction, two SQS sends. */
const latencyMs = number(values['latency-ms'], 150);
/** Round trip of the invoice transaction: while one issuer holds the sponsor's number, the others must retry. */
const transactionMs = number(values['transaction-ms'], 25);
/** What this machine rolls (BENCHMARKS.md §4, the Jambi year: 6.2 villages a second with billing). */
const localVillagesPerSecond = number(values['local-villages-per-second'], 6.2);

const perVillage = workers / villages;

/**
 * One village's steady month, request by request (packages/roll renewal.ts, the store's repositories):
 * reads — commitment, allocation, enrollments (a query), unpaid run (a query), the invoice by key, the
 * sponsor's sequence, the invoice's lines for the billing message; writes — close the period, the invoice
 * transaction, mark it sent, billing's acknowledgement and payment (billing-inbox).
 */
const ledgerReads = 7;
const ledgerWrites = 5;
/** Write units of those 5 requests (BENCHMARKS.md §3: 22 for 10 workers, 58 for 200; linear in the lines). */
const writeUnits = (n: number) => 22 + ((58 - 22) / (200 - 10)) * (n - 10);
/** Read units: consistent reads of 4 KB; an enrollment item is about 0.7 KB, a line item 400 lines of ~0.15 KB. */
const readUnits = (n: number) => 5 + Math.ceil((n * 0.7) / 4) + Math.ceil((n * 0.15) / 4);
/** The reports projector's writes per village a roll (BENCHMARKS.md §3: 11–22). */
const reportsWrites = 16;
/** SQS: the unit (1/10 of a batch send, a receive, a delete), the invoice message (send, receive, delete), 2 answers × 3. */
const sqsRequests = 0.1 + 2 + 3 + 6;
/** Lambda invocations: renewal (batches of 5), billing inbox (2 answers, batches of 10), the projector (~1). */
const lambdaInvocations = 1 / 5 + 2 / 10 + 1;
const lambdaGbSeconds = (latencyMs / 1000) * (renewalWorkerFunction.memoryMb / 1024) + 0.1;

const prices = {
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
};

const month = {
  requests: villages * (ledgerReads + ledgerWrites + reportsWrites),
  writeUnits: villages * (writeUnits(perVillage) + reportsWrites * 1.5),
  readUnits: villages * readUnits(perVillage),
  sqs: villages * sqsRequests,
  invocations: villages * lambdaInvocations,
  gbSeconds: villages * lambdaGbSeconds,
};
const cost = {
  dynamodb: month.writeUnits * prices.writeUnit + month.readUnits * prices.readUnit,
  sqs: month.sqs * prices.sqsRequest,
  lambda: month.invocations * prices.lambdaRequest + month.gbSeconds * prices.lambdaGbSecond,
};
const villagesPerSecond = (concurrency * 1000) / latencyMs;
const wallSeconds = villages / villagesPerSecond;
/** The hottest partition: a commitment's allocations share its partition key; each village writes 3 units there. */
const villagesPerSponsor = villages / sponsors;
const partitionWcuPerSecond = villagesPerSecond * 3;

/** The rates each limit allows, in villages a second; the smallest binds. */
const limits: [string, number][] = [
  [`event source concurrency (${concurrency} × 1 village per ${latencyMs} ms)`, villagesPerSecond],
  [
    `one sponsor's invoice-number item (1 issue per ${transactionMs} ms transaction, the queue in sponsor order)`,
    1000 / transactionMs,
  ],
  ['one commitment partition (1.000 WCU/s ÷ 3 WCU a village)', 1000 / 3],
  ['Lambda account concurrency (1.000 × 1 village per renewal)', (1000 * 1000) / latencyMs],
];
const [binding = '', bound = 0] = [...limits].sort((a, b) => a[1] - b[1])[0] ?? [];

const id = (n: number, digits = 0) =>
  n.toLocaleString('id-ID', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const rows: [string, string][] = [
  ['villages / workers (per village)', `${id(villages)} / ${id(workers)} (${id(perVillage, 1)})`],
  ['DynamoDB requests a month (ledger + reports)', id(month.requests)],
  ['write units / read units', `${id(month.writeUnits)} / ${id(month.readUnits)}`],
  ['SQS requests / Lambda invocations', `${id(month.sqs)} / ${id(month.invocations)}`],
  ['Lambda GB-seconds', id(month.gbSeconds)],
  [
    'cost a month, us-east-1 on-demand (USD)',
    `DynamoDB ${id(cost.dynamodb, 2)} + SQS ${id(cost.sqs, 2)} + Lambda ${id(cost.lambda, 2)} = ${id(cost.dynamodb + cost.sqs + cost.lambda, 2)}`,
  ],
  [
    `roll wall time at ${concurrency} concurrent renewals of ${latencyMs} ms`,
    `${id(villagesPerSecond, 1)} villages/s → ${id(wallSeconds / 60, 1)} min`,
  ],
  [
    'hottest partition (one commitment, all its villages in flight)',
    `${id(partitionWcuPerSecond)} WCU/s of 1.000 (${id(villagesPerSponsor)} villages a sponsor)`,
  ],
  ...limits.map(([name, rate]): [string, string] => [`limit: ${name}`, `${id(rate, 1)} villages/s`]),
  [
    'binds first',
    `${binding}: ${id(bound, 1)} villages/s → ${id(villages / bound / 60, 1)} min, retries for the number: ${
      villagesPerSecond > bound ? `about ${id(villagesPerSecond / bound - 1, 1)} per issue` : 'none'
    }`,
  ],
  [
    'the same month on this machine (local rate)',
    `${id(localVillagesPerSecond, 1)} villages/s → ${id(villages / localVillagesPerSecond / 3600, 1)} h`,
  ],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.info('A month of the national roll on AWS (model)\n');
for (const [key, value] of rows) console.info(`${key.padEnd(width)}  ${value}`);
