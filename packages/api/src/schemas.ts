/**
 * The request bodies of the HTTP contract; the OpenAPI document is generated from the same schemas. They are
 * `zod/mini` schemas: a function bundle carries only the checks it uses, about 58 KB less than classic zod,
 * which keeps its JSON Schema writer and every method in each bundle (BENCHMARKS.md section 6).
 */
import {
  findRegion,
  LIST_NAME,
  MAX_REALLOCATION_MOVES,
  PRIORITY_RANGE,
  SPONSOR_KINDS,
  WORKER_SEGMENTS,
} from '@lindung/core';
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini has no messages of its own ("Invalid input"): the English ones classic zod gives, for the problem's
// `errors` and an import row's result.
z.config(en());

const rupiah = z
  .int()
  .check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER), z.describe('Integer rupiah'));
const positiveRupiah = rupiah.check(z.positive());
/** A well-formed code must also name a region of the region data: money must never go to a made-up village. */
const inRegionData = (code: string) => findRegion(code) !== undefined;
const UNKNOWN_REGION = 'no region with this code in the region data (idn-area-data)';
const regionCode = z
  .string()
  .check(
    z.regex(/^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/, { abort: true }),
    z.refine(inRegionData, UNKNOWN_REGION),
    z.describe('idn-area-data code, e.g. 15.01.01.2001'),
  );
const villageCode = z
  .string()
  .check(
    z.regex(/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/, { abort: true }),
    z.refine(inRegionData, UNKNOWN_REGION),
    z.describe('Village code, e.g. 15.01.01.2001'),
  );
const period = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/), z.describe('Period YYYY-MM'));
const percent = z.number().check(z.gt(0), z.maximum(100), z.describe('Percent, e.g. 10 for 10 %'));
/** Trimmed text of `min` to `max` characters. */
const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));
const id = z.string().check(z.minLength(1), z.maxLength(64));

export const createSponsorBody = z.strictObject({
  name: text(1, 200),
  kind: z.enum(SPONSOR_KINDS),
  regionCode,
});

export const budgetRule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), amount: positiveRupiah }),
  z.strictObject({
    kind: z.literal('percent-of-grant'),
    grantPerVillage: positiveRupiah,
    percent,
    region: regionCode.check(z.describe('Every village of this region receives the grant')),
  }),
]);

const villageSelection = {
  region: z.optional(regionCode.check(z.describe('Every village of this region'))),
  villages: z.optional(z.array(villageCode).check(z.minLength(1), z.maxLength(100_000))),
};

export const allocationRule = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('equal'), ...villageSelection }),
  z.strictObject({ method: z.literal('percent-of-grant') }),
  z.strictObject({
    method: z.literal('proportional'),
    targets: z.record(villageCode, z.int().check(z.nonnegative())),
  }),
  z.strictObject({ method: z.literal('explicit'), amounts: z.record(villageCode, rupiah) }),
]);

/** A whole number from a query string, `min` to `max`. */
export const queryInteger = (min: number, max: number) =>
  z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));
/** `limit` of a paginated query: 1 to 1,000, 100 by default. */
export const pageLimit = () => z._default(queryInteger(1, 1000), 100);
const fiscalYear = z.int().check(z.minimum(2020), z.maximum(2100));

/** A worker's segment (village officials, RT/RW, fishers, …), which a commitment's rules may ask for. */
const segment = z.enum(WORKER_SEGMENTS);

/** What part of each covered worker-month a commitment pays (issue 18); absent: the whole premium. */
export const payerShare = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('programs'),
      programs: z.array(z.enum(['JKK', 'JKM', 'JHT'])).check(z.minLength(1), z.maxLength(3)),
    }),
    z.strictObject({
      kind: z.literal('percent'),
      basisPoints: z
        .int()
        .check(z.minimum(1), z.maximum(10_000), z.describe('Basis points of the premium: 5000 = 50 %')),
    }),
    z.strictObject({ kind: z.literal('fixed'), amount: positiveRupiah.check(z.describe('Rupiah a month')) }),
  ])
  .check(
    z.describe(
      'The share of each covered worker-month it pays, capped by the premium: whole programmes, a percentage (rounded down to the rupiah) or a fixed amount a month. Absent: the whole premium; for a co-funding commitment, all the co-funded one leaves',
    ),
  );

export const draftCommitmentBody = z.strictObject({
  sponsorId: id,
  fiscalYear,
  budget: budgetRule,
  benefit: z.strictObject({
    programs: z.array(z.enum(['JKK', 'JKM', 'JHT'])).check(z.minLength(2), z.maxLength(3)),
    declaredIncome: rupiah,
  }),
  reservation: z._default(z.enum(['fiscal-year', 'monthly']), 'fiscal-year'),
  allocation: z._default(allocationRule, { method: 'percent-of-grant' }),
  eligibility: z.optional(
    z
      .strictObject({
        minAge: z.optional(z.int()),
        maxAge: z.optional(z.int()),
        segments: z.optional(z.array(segment).check(z.maxLength(WORKER_SEGMENTS.length))),
        list: z.optional(
          z
            .string()
            .check(
              z.regex(LIST_NAME),
              z.describe('A list of the sponsor (e.g. p3ke) the worker must be on: see the lists routes'),
            ),
        ),
      })
      .check(
        z.describe(
          'Who the money may cover besides the BPU rule (18–65): an age range, worker segments, a list of the sponsor',
        ),
      ),
  ),
  priority: z.optional(
    z
      .int()
      .check(
        z.minimum(PRIORITY_RANGE.min),
        z.maximum(PRIORITY_RANGE.max),
        z.describe(
          'Where it stands among other sponsors’ commitments over a village: lower pays first. Absent: by the sponsor’s kind (village 100, regency or city 200, province 300, other 400)',
        ),
      ),
  ),
  share: z.optional(payerShare),
  coFunds: z.optional(
    id.check(
      z.describe(
        'A commitment of another sponsor (same fiscal year and benefit, both fiscal-year reservation) whose workers this one co-funds in the villages it names: it tops up the share that one leaves. Its workers are enrolled under that commitment',
      ),
    ),
  ),
});

const commitmentId = id;
/** A NIK as a request carries it: 16 digits (its date and region are checked by the use case). */
export const nik = z.string().check(z.regex(/^\d{16}$/, 'a NIK is 16 digits'));
const workerName = text(1, 200);

export const enrollBody = z.strictObject({
  commitmentId: z.optional(
    commitmentId.check(
      z.describe(
        'The commitment that pays; absent, the first of the village’s commitments in priority order that takes the worker',
      ),
    ),
  ),
  worker: z.strictObject({
    nik,
    name: z.optional(workerName),
    segment: z.optional(segment),
  }),
  startPeriod: period,
});

/** What a village operator asks before enrolling: which commitments of the year can take this worker, and why. */
export const fundingOptionsBody = z.strictObject({
  startPeriod: period,
  worker: z.optional(
    z
      .strictObject({ nik, segment: z.optional(segment) })
      .check(
        z.describe(
          'The worker to judge against each commitment’s rules (absent: only the quotas are judged)',
        ),
      ),
  ),
});

export const pageQuery = z.object({
  limit: pageLimit(),
  pageToken: z.optional(z.string().check(z.maxLength(2048))),
});

/** A village's enrollments: all of them, or those one commitment pays for (how its sponsor reads them). */
export const villageEnrollmentsQuery = z.extend(pageQuery, { commitmentId: z.optional(commitmentId) });

/** The most rows one import job may hold (the import worker enrolls them after the 202, chunk by chunk). */
export const MAX_IMPORT_ROWS = 50_000;

/** One worker of an import: a CSV line under the header `nik,name,startPeriod`, or a JSON object. */
export const importRow = z.strictObject({
  nik,
  name: z.optional(workerName),
  segment: z.optional(segment),
  startPeriod: period,
});

const importRows = <T extends z.ZodMiniType>(row: T) =>
  z
    .array(row)
    .check(
      z.minLength(1, 'name at least one row'),
      z.maxLength(MAX_IMPORT_ROWS, `at most ${MAX_IMPORT_ROWS} rows per import`),
    );

/** The JSON body of an import, as documented. */
export const importEnrollmentsBody = z.strictObject({ commitmentId, rows: importRows(importRow) });

/**
 * An import as the handler reads it, from JSON or CSV: the rows are checked one by one afterwards, so that a
 * bad row gets its own 422 result instead of failing the whole request.
 */
export const importEnrollmentsRequest = z.strictObject({ commitmentId, rows: importRows(z.unknown()) });

/** The query of a CSV import (its body has no room for the commitment). */
export const importQuery = z.object({ commitmentId });

export const proposeReallocationBody = z.strictObject({
  moves: z
    .array(z.strictObject({ from: villageCode, to: villageCode, amount: positiveRupiah }))
    .check(
      z.minLength(1),
      z.maxLength(MAX_REALLOCATION_MOVES),
      z.describe(`At most ${MAX_REALLOCATION_MOVES} moves; a village's change is the net of its moves`),
    ),
  reason: z.optional(text(1, 500)),
});

/** A rejection of a draft commitment or a proposed reallocation: the approver says why. */
export const rejectBody = z.strictObject({
  reason: text(1, 500).check(z.describe('Why it is rejected, for the person who drafted it')),
});

/** A sponsor's commitments, optionally only one state (`draft`: those waiting for approval). */
export const sponsorCommitmentsQuery = z.strictObject({
  status: z.optional(z.enum(['draft', 'activating', 'active', 'closed', 'rejected', 'withdrawn'])),
});

export type RejectBody = z.infer<typeof rejectBody>;

export type CreateSponsorBody = z.infer<typeof createSponsorBody>;
export type DraftCommitmentBody = z.infer<typeof draftCommitmentBody>;
export type EnrollBody = z.infer<typeof enrollBody>;
export type FundingOptionsBody = z.infer<typeof fundingOptionsBody>;
export type ImportEnrollmentsRequest = z.infer<typeof importEnrollmentsRequest>;
export type ProposeReallocationBody = z.infer<typeof proposeReallocationBody>;

export const terminateBody = z.strictObject({
  fromPeriod: period.check(z.describe('The first period no longer covered')),
});

export const invoiceQuery = z.strictObject({
  sponsorId: z.optional(id),
  villageCode: z.optional(villageCode),
  period: z.optional(period),
  status: z.optional(z.enum(['draft', 'issued', 'sent', 'acknowledged', 'paid', 'void'])),
  limit: pageLimit(),
  pageToken: z.optional(z.string().check(z.maxLength(2048))),
});

export type TerminateBody = z.infer<typeof terminateBody>;
export type InvoiceQueryParameters = z.infer<typeof invoiceQuery>;

/** An incentive scheme of a sponsor (issue 19): who earns what by when. */
export const createIncentiveBody = z.strictObject({
  commitmentId: id.check(z.describe('The active commitment whose unallocated budget pays the awards')),
  name: text(1, 200),
  period: period.check(
    z.describe('The regions must reach the threshold by this period (at the latest November)'),
  ),
  regions: z.optional(
    z
      .array(regionCode)
      .check(
        z.minLength(1),
        z.maxLength(10_000),
        z.describe('Child regions of the sponsor’s region; default every village of the commitment'),
      ),
  ),
  threshold: z
    .string()
    .check(
      z.maxLength(8),
      z.describe('The share of each region’s target to reach, in percent: 100, 80, 37,5'),
    ),
  award: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('money'), amount: positiveRupiah }),
    z.strictObject({
      kind: z.literal('quota'),
      workerYears: z
        .int()
        .check(z.minimum(1), z.maximum(10_000), z.describe('Full-year workers of extra quota')),
    }),
  ]),
});

export type CreateIncentiveBody = z.infer<typeof createIncentiveBody>;
