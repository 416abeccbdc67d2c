/**
 * A model of one month's period roll for the whole country on AWS, past what one machine can run: 83,762
 * villages and about 3 million workers paid by regional budgets. Every figure is computed here from the
 * parameters below, which are either counted in the code path of one village's renewal (requests), measured
 * on DynamoDB Local (write units, BENCHMARKS.md §3) or taken from the CDK app (concurrency, memory);
 * prices are parameters (us-east-1 list prices, on-demand; Jakarta's are higher, so scale them).
 *
 *   npx tsx test/bench/national-model.ts [--villages N] [--workers N] [--sponsors N] [--concurrency N]
 *                                        [--latency-ms N] [--transaction-ms N] [--hand-over-ms N]
 *                                        [--local-villages-per-second N]
 */
import { parseArgs } from 'node:util';
import { invoiceNumberingQueue } from '@lindung/messaging';
import { renewalWorkerFunction } from '../../functions/registry.js';

const { values } = parseArgs({
  options: {
    villages: { type: 'string' },
    workers: { type: 'string' },
    sponsors: { type: 'string' },
    concurrency: { type: 'string' },
    'latency-ms': { type: 'string' },
    'transaction-ms': { type: 'string' },
    'hand-over-ms': { type: 'string' },
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
/** Wall time of one village's renewal on AWS: ~7 sequential DynamoDB calls at 5–10 ms, a transaction, one SQS send. */
const latencyMs = number(values['latency-ms'], 150);
/** A numbering batch's reads (the drafts in parallel, the sequence) and its one transaction. */
const transactionMs = number(values['transaction-ms'], 40);
/** Handing one numbered invoice to billing: its lines (a query), the SQS send, the `sent` update, in order. */
const handOverMs = number(values['hand-over-ms'], 25);
/**
 * What this machine rolls (BENCHMARKS.md §4, the Jambi year with billing): 51 villages a second on 2026-12-03,
 * against 20 for the code before issue 17 in the same session (6.2 on the loaded machine of 2026-11-22).
 */
const localVillagesPerSecond = number(values['local-villages-per-second'], 51);

const perVillage = workers / villages;

/** Invoices numbered in one transaction: the numbering queue's batch, one batch of a sponsor's year at a time. */
const batch = invoiceNumberingQueue.batchSize;

/**
 * One village's steady month, request by request (packages/roll renewal.ts and numbering.ts, the store's
 * repositories): reads — commitment, allocation, enrollments (a query), unpaid run (a query) (renewal); the
 * batch's drafts (one BatchGetItem a batch), the sponsor's sequence (once a batch), the invoice's lines for
 * the billing message (numbering); writes — close the period, the draft transaction, the numbering
 * transaction (once a batch), mark it sent, billing's acknowledgement and payment (billing-inbox). The same
 * counted on the deployed bundles (`LINDUNG_REQUEST_COUNTS=1`, BENCHMARKS.md §4): renewal 4,1 reads and 2
 * writes a village-month, numbering 1,3 reads and 1,2 writes, billing 2,1 writes.
 */
const ledgerReads = 4 + 1 + 2 / batch;
const ledgerWrites = 5 + 1 / batch;
/**
 * Write units (BENCHMARKS.md §3 before issue 17: 22 for 10 workers, 58 for 200; linear in the lines). The
 * sequence item left the village's transaction (−2) for a share of the batch's (+2/batch), and the header is
 * written twice, drafted and issued (+2 in the transaction, +2 for its two index copies).
 */
const writeUnits = (n: number) => 22 + ((58 - 22) / (200 - 10)) * (n - 10) - 2 + 4 + 2 / batch;
/** Read units: consistent reads of 4 KB; an enrollment item is about 0.7 KB, a line item 400 lines of ~0.15 KB. */
const readUnits = (n: number) => 5 + Math.ceil((n * 0.7) / 4) + Math.ceil((n * 0.15) / 4);
/**
 * The reports projector's requests per village a roll, counted on its bundle over the whole province's year
 * (BENCHMARKS.md §4, 2026-12-03, since a village has no rollup item): 2.3 cell updates and 1.1 rollup puts,
 * 0.7 queries and 0.1 version reads. (Before: 5.9 writes and 2.1 reads; 11–22 writes in the 4-village
 * benchmark of §3, whose batches fold little.)
 */
const reportsWrites = 3.4;
const reportsReads = 0.8;
/** Write units of a reports write: a cell is 1–3 KB by the year's end (one attribute per worker and invoice), a rollup about 1 KB. */
const reportsWriteUnits = 2;
/** Read units of a reports read: mostly a district's village cells, about 11 cells of 1–3 KB, read consistently. */
const reportsReadUnits = 6;
/**
 * SQS: the unit (1/10 of a batch send, a receive, a delete), the numbering message (a send, 1/batch of a
 * receive and a delete), the invoice message (send, receive, delete), 2 answers × 3.
 */
const sqsRequests = 0.1 + 2 + (1 + 2 / batch) + 3 + 6;
/** Lambda invocations: renewal (batches of 5), numbering (batches of 10), billing inbox (2 answers, batches of 10), the projector (~1). */
const lambdaInvocations = 1 / 5 + 1 / batch + 2 / 10 + 1;
const lambdaGbSeconds =
  (latencyMs / 1000) * (renewalWorkerFunction.memoryMb / 1024) +
  (transactionMs / batch + handOverMs) / 1000 / 2 +
  0.1;

const prices = {
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
};

const month = {
  requests: villages * (ledgerReads + ledgerWrites + reportsWrites + reportsReads),
  writeUnits: villages * (writeUnits(perVillage) + reportsWrites * reportsWriteUnits),
  readUnits: villages * (readUnits(perVillage) + reportsReads * reportsReadUnits),
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

/**
 * Numbering: one batch of a sponsor's year in flight (its FIFO group), `batch` invoices numbered in one
 * transaction and then handed over one by one. Groups run side by side (Lambda scales a FIFO source by its
 * groups), so the country's numbering rate is the sponsors' together; a sponsor's own rate only sets how
 * long its last invoices wait after its last renewal.
 */
const batchMs = transactionMs + batch * handOverMs;
const groupRate = (batch * 1000) / batchMs;
/** The fan-out queues a sponsor's villages together: the last sponsor's backlog drains after the renewals end. */
const numberingTailSeconds = Math.max(
  0,
  villagesPerSponsor / groupRate - villagesPerSponsor / villagesPerSecond,
);

/** The rates each limit allows, in villages a second; the smallest binds. */
const limits: [string, number][] = [
  [`event source concurrency (${concurrency} × 1 village per ${latencyMs} ms)`, villagesPerSecond],
  [
    `numbering, ${sponsors} sponsors' FIFO groups side by side (each one batch of ${batch} per ${batchMs} ms)`,
    sponsors * groupRate,
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
    "one sponsor's numbering (its FIFO group: one batch in flight)",
    `${id(groupRate, 1)} invoices/s; its last invoice numbered ${id(numberingTailSeconds, 1)} s after its last renewal`,
  ],
  [
    'binds first',
    `${binding}: ${id(bound, 1)} villages/s → ${id(villages / bound / 60 + numberingTailSeconds / 60, 1)} min; retries for the invoice number: none (one writer per sponsor's year)`,
  ],
  [
    'the same month on this machine (local rate)',
    `${id(localVillagesPerSecond, 1)} villages/s → ${id(villages / localVillagesPerSecond / 60, 1)} min`,
  ],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.info('A month of the national roll on AWS (model)\n');
for (const [key, value] of rows) console.info(`${key.padEnd(width)}  ${value}`);
