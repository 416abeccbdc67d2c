/**
 * A fiscal year of a sponsor over 20 villages for the period-roll tests: workers enrolled at different
 * months, one who reaches the age limit, terminations; what the invoices must then hold, computed here
 * independently of the roll; and a canonical dump of everything the roll writes, to compare runs.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { childrenOf } from '@lindung/core';
import type {
  CommitmentRepository,
  EnrollmentRepository,
  Invoice,
  InvoiceRepository,
  LedgerRepository,
} from '@lindung/store';
import { ledgerPartition } from '@lindung/store';

export const MONTHLY_PREMIUM = 16_800;

export interface PlannedWorker {
  readonly villageCode: string;
  readonly nik: string;
  readonly startMonth: number;
  /** The first month no longer covered, when the village terminates the coverage. */
  readonly terminateFromMonth?: number;
  /** The first month the worker is 66 and no longer eligible. */
  readonly agesOutMonth?: number;
}

/** Village codes of Jambi's Kota Jambi (15.71.xx.xxxx), 20 of them. */
export const villages = (count = 20) => {
  // Real kelurahan of Kota Jambi (the API refuses codes the region data does not know): the first five
  // districts in turn, their villages in code order.
  const districts = childrenOf('15.71').slice(0, 5);
  return Array.from({ length: count }, (_, i) => {
    const village = childrenOf(districts[i % 5]?.code ?? '15.71')[Math.floor(i / 5)];
    if (!village) throw new Error(`Kota Jambi has no village number ${i} for the roll scenario`);
    return village.code;
  });
};

/** NIK of a Jambi man born on `day`.`month`.`yy`, serial `serial`. */
const nik = (day: number, month: number, yy: number, serial: number) =>
  `157101${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(yy).padStart(2, '0')}${String(serial).padStart(4, '0')}`;

/** Workers of `year`: village i gets 2 + i % 4 workers starting at spread-out months. */
export const plannedWorkers = (codes: readonly string[], year: number): PlannedWorker[] =>
  codes.flatMap((villageCode, i) =>
    Array.from({ length: 2 + (i % 4) }, (_, j): PlannedWorker => {
      const serial = i * 10 + j + 1;
      const startMonth = 1 + ((i * 7 + j * 5) % 12);
      if (i === 3 && j === 0) {
        // Born on 15 March 66 years before `year`: 65 when covered from January, 66 on 1 April.
        return { villageCode, nik: nik(15, 3, (year - 66) % 100, serial), startMonth: 1, agesOutMonth: 4 };
      }
      if (j === 1 && i % 3 === 0 && startMonth < 10) {
        return {
          villageCode,
          nik: nik(1 + (serial % 28), 6, 90, serial),
          startMonth,
          terminateFromMonth: startMonth + 2,
        };
      }
      return { villageCode, nik: nik(1 + (serial % 28), 6, 90, serial), startMonth };
    }),
  );

/** The months a planned worker is covered. */
export const coveredMonths = (w: PlannedWorker): number[] => {
  const end = Math.min(w.terminateFromMonth ?? 13, w.agesOutMonth ?? 13);
  return Array.from({ length: Math.max(0, end - w.startMonth) }, (_, k) => w.startMonth + k);
};

/** What the invoices of the year must hold: one line per covered worker-month, by village and month. */
export const expectedLines = (workers: readonly PlannedWorker[]) => {
  const lines = new Set<string>();
  const invoices = new Set<string>();
  for (const w of workers) {
    for (const month of coveredMonths(w)) {
      lines.add(`${w.nik}@${month}`);
      invoices.add(`${w.villageCode}@${month}`);
    }
  }
  return { lines, invoices, total: lines.size * MONTHLY_PREMIUM };
};

export interface Repositories {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly commitments: CommitmentRepository;
  readonly enrollments: EnrollmentRepository;
  readonly invoices: InvoiceRepository;
  readonly ledger: LedgerRepository;
}

/** A worker by the serial of the NIK (unique in a scenario; the birth date part may differ between years). */
const serialOf = (nik: string) => `#${nik.slice(-4)}`;

const monthOnly = (text: string, year: number) =>
  text.replaceAll(`${year}-`, 'YYYY-').replaceAll(`${year + 1}-`, 'NEXT-');

/**
 * Everything the year wrote for a commitment, without ids, timestamps and the year, in a stable order:
 * two runs of the same scenario must give the same dump. Invoice numbers are compared as a set.
 */
export const canonicalDump = async (repos: Repositories, commitmentId: string, year: number) => {
  const allocations = await repos.commitments.allAllocations(commitmentId);
  const dump: string[] = [];
  const numbers: number[] = [];
  for (const a of allocations) {
    const {
      commitmentId: _c,
      sponsorId: _s,
      fiscalYear: _y,
      closedThrough: _t,
      ...counters
    } = a as typeof a & {
      closedThrough?: string;
    };
    dump.push(`allocation ${JSON.stringify(counters)}`);
    for (const e of await repos.enrollments.ofAllocation(commitmentId, a.villageCode)) {
      dump.push(
        `enrollment ${JSON.stringify([a.villageCode, serialOf(e.nik), e.startPeriod, e.status, e.endPeriod, e.endReason, e.reservedAmount])}`,
      );
    }
    const { Items = [] } = await repos.db.send(
      new QueryCommand({
        TableName: repos.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :invoice)',
        ExpressionAttributeValues: {
          ':pk': `INVOICES#${commitmentId}#${a.villageCode}`,
          ':invoice': 'INVOICE#',
        },
        ConsistentRead: true,
      }),
    );
    for (const item of Items) {
      numbers.push(item.number as number);
      const lines = (await repos.invoices.storedLines(item as unknown as Invoice))
        .map((l) => `${serialOf(l.nik)}:${l.premium}`)
        .sort();
      dump.push(
        `invoice ${JSON.stringify([item.villageCode, item.period, item.total, item.lineCount, item.status, item.dueDate, lines])}`,
      );
    }
    const { Items: entries = [] } = await repos.db.send(
      new QueryCommand({
        TableName: repos.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ledgerPartition(commitmentId, a.villageCode) },
        ConsistentRead: true,
      }),
    );
    for (const e of entries) {
      dump.push(
        `ledger ${JSON.stringify([a.villageCode, e.type, e.amount, e.fromReserved, e.fromAvailable, e.period, e.reason])}`,
      );
    }
  }
  return { dump: dump.map((line) => monthOnly(line, year)).sort(), numbers: numbers.sort((x, y) => x - y) };
};
