import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LindungClient } from '@lindung/cli';
import { documentClient, EnrollmentRepository, LedgerRepository } from '@lindung/store';
import { emulatorClients, type LocalStack } from '../../packages/local/src/stack.js';
import type { PhaseRecorder } from './phases.js';

/** Jambi's BKBK rule: 10% of a Rp 100.000.000 grant to every village pays premiums. */
export const GRANT_PER_VILLAGE = 100_000_000;
export const PREMIUM_SHARE_PERCENT = 10;
export const QUOTA_PER_VILLAGE = (GRANT_PER_VILLAGE * PREMIUM_SHARE_PERCENT) / 100;
export const SPONSOR_NAME = 'Pemerintah Provinsi Jambi';

/** The claims of a local token. */
type Claims = Parameters<LocalStack['tokens']['issue']>[0];

/** One run of the year: every step reads it, and adds what it finds wrong to `problems`. */
export interface YearRun {
  readonly year: number;
  readonly villageCodes: readonly string[];
  readonly log: (line: string) => void;
  readonly recorder: PhaseRecorder;
  /** Every disagreement found so far between the plan, the counters, the invoices, the ledger and the reports. */
  readonly problems: string[];
  readonly stack: LocalStack;
  readonly sqs: SQSClient;
  readonly ledger: LedgerRepository;
  readonly enrollments: EnrollmentRepository;
  /** The platform's administrator (sponsors, the monthly rolls). */
  readonly admin: () => Promise<LindungClient>;
  /** A client of the API with a local token of these claims. */
  readonly as: (claims: Claims) => Promise<LindungClient>;
}

/** The province's approved commitment, and its finance officer, who reads it. */
export interface YearCommitment {
  readonly sponsorId: string;
  readonly commitmentId: string;
  readonly officer: LindungClient;
}

/** Opens the run's clients of a started stack; `close` ends them (the stack is stopped by its starter). */
export const openRun = (
  stack: LocalStack,
  run: Pick<YearRun, 'year' | 'villageCodes' | 'log' | 'recorder'>,
): { run: YearRun; close: () => void } => {
  const { sqs, dynamodb } = emulatorClients(stack.dynamodbEndpoint, stack.sqsEndpoint);
  const document = documentClient(dynamodb);
  const table = stack.tables.ledger?.name ?? '';
  const as = async (claims: Claims) => new LindungClient(stack.httpUrl, await stack.tokens.issue(claims));
  return {
    run: {
      ...run,
      problems: [],
      stack,
      sqs,
      ledger: new LedgerRepository(document, table),
      enrollments: new EnrollmentRepository(document, table),
      admin: () => as({ roles: ['admin'], sub: 'demo-admin' }),
      as,
    },
    close: () => {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
};

/** A village's quota in the commitment, as `GET …/allocations` lists it. */
export interface AllocationRow {
  readonly villageCode: string;
  readonly status: string;
  readonly budget: number;
  readonly available: number;
  readonly reserved: number;
  readonly spent: number;
  readonly released: number;
  readonly workers: number;
  readonly rolledThrough?: string;
  readonly commitmentId: string;
  readonly fiscalYear: number;
  readonly sponsorId: string;
}

/** Every page of a list of the API. */
const allPages = async <T>(
  client: LindungClient,
  path: string,
  query: Readonly<Record<string, string>>,
): Promise<T[]> => {
  const rows: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.get<{ items: T[]; nextPageToken?: string }>(path, {
      query: { ...query, limit: 1000, pageToken },
    });
    rows.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return rows;
};

/** Every village's quota in the commitment. */
export const allAllocations = ({ officer, commitmentId }: YearCommitment): Promise<AllocationRow[]> =>
  allPages(officer, `/v1/commitments/${commitmentId}/allocations`, {});

/** An invoice as `GET /v1/invoices` lists it. */
export interface InvoiceRow {
  readonly villageCode: string;
  readonly period: string;
  readonly total: number;
  readonly lineCount: number;
  readonly status: string;
}

/** Every invoice of the sponsor. */
export const allInvoices = ({ officer, sponsorId }: YearCommitment): Promise<InvoiceRow[]> =>
  allPages(officer, '/v1/invoices', { sponsorId });

/** Messages waiting or in flight on every queue, and on the dead-letter queues. */
export const queueDepths = async ({ stack, sqs }: YearRun) => {
  let pending = 0;
  let dead = 0;
  for (const queue of Object.values(stack.queues)) {
    for (const [url, isDead] of [
      [queue.url, false],
      [queue.deadLetterUrl, true],
    ] as const) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const depth = Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
      if (isDead) dead += depth;
      else pending += depth;
    }
  }
  return { pending, dead };
};

/** Seconds as an Indonesian reader writes them: `633,9 s`. */
export const secondsText = (seconds: number) =>
  `${seconds.toLocaleString('id-ID', { maximumFractionDigits: 1 })} s`;

/** A log that says something at most once every `ms` (progress of a long phase, without flooding). */
export const throttled = (log: (line: string) => void, ms = 30_000) => {
  let last = Date.now();
  return (line: () => string) => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    log(line());
  };
};

/** Polls until `probe` says done; a phase that never ends is a failure, not a hang. */
export const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs = 120 * 60_000) => {
  const deadline = Date.now() + timeoutMs;
  for (let interval = 50; !(await probe()); interval = Math.min(1_000, interval * 2)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
};
