/**
 * The response bodies of the HTTP contract, as zod schemas registered under their OpenAPI component names.
 * Only the OpenAPI build and the contract tests read them (the Lambda never imports this module, so none of
 * it lands in a bundle); the document declares every object closed, so a field the API answers and these
 * schemas do not name fails the contract tests.
 */
import {
  COMMITMENT_STATES,
  ENROLLMENT_STATES,
  INVOICE_STATES,
  PARTNER_KINDS,
  PROGRAMS,
  REALLOCATION_STATES,
  REGION_LEVELS,
  RESERVATION_MODES,
  SPONSOR_KINDS,
  WORKER_SEGMENTS,
} from '@lindung/core';
import * as z from 'zod';

/** The registry the document's `components.schemas` is generated from; its `id` is the component name. */
export const responseSchemas = z.registry<{ id: string }>();

const named = <T extends z.ZodType>(id: string, schema: T): T => {
  responseSchemas.add(schema, { id });
  return schema;
};

const rupiah = z.number().int().describe('Integer rupiah');
const count = z.number().int().nonnegative();
const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const timestamp = z.string().describe('ISO 8601 instant');
const id = z.string();
const villageCode = z.string().regex(/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/);
const nextPageToken = z
  .string()
  .optional()
  .describe('Pass as `pageToken` for the next page; absent on the last');

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextPageToken });

/** One field that failed validation: `path` names it (`worker.nik`, `rows.3.nik`, or `''` for the whole). */
export const problemFieldError = named('FieldError', z.object({ path: z.string(), message: z.string() }));

/** Every error answer: an RFC 9457 problem document with Lindung's stable `code`. */
export const problemDocument = named(
  'Problem',
  z.object({
    type: z.string().describe('https://lindung.id/problems/{code}'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    code: z.string().describe('The stable machine code clients branch on'),
    detail: z.string().optional(),
    instance: z.string().optional().describe('The request id'),
    errors: z.array(problemFieldError).optional().describe('The fields that failed (validation-failed)'),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Facts a client can act on, e.g. { available, required } of quota-exhausted'),
  }),
);

export const sponsor = named(
  'Sponsor',
  z.object({
    id,
    name: z.string(),
    kind: z.enum(SPONSOR_KINDS),
    regionCode: z.string(),
    createdAt: timestamp,
  }),
);

const benefit = z.object({ programs: z.array(z.enum(PROGRAMS)), declaredIncome: rupiah });

const payerShare = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('programs'), programs: z.array(z.enum(PROGRAMS)) }),
  z.object({ kind: z.literal('percent'), basisPoints: z.number().int() }),
  z.object({ kind: z.literal('fixed'), amount: rupiah }),
]);

/** One sponsor paying a share of an enrollment's worker-months. */
const enrollmentPayer = z.object({
  commitmentId: id,
  sponsorId: id,
  role: z.enum(['primary', 'co-funder']),
  share: payerShare.optional(),
  monthlyShare: rupiah.describe('What it pays of the start period’s premium'),
  reservedAmount: rupiah.describe('What the enrollment reserved of its quota in the village'),
});

const eligibility = z.object({
  minAge: z.number().int().optional(),
  maxAge: z.number().int().optional(),
  segments: z.array(z.enum(WORKER_SEGMENTS)).optional(),
  list: z.string().optional().describe('A list of the sponsor the worker must be on'),
});

const commitmentFields = {
  id,
  sponsorId: id,
  fiscalYear: z.number().int(),
  budget: rupiah,
  funding: z.record(z.string(), z.unknown()).describe('How the budget was set, as the sponsor stated it'),
  benefit,
  reservation: z.enum(RESERVATION_MODES),
  eligibility: eligibility
    .optional()
    .describe('Who the money may cover besides the BPU rule (18–65); absent: anyone 18–65'),
  allocation: z.record(z.string(), z.unknown()).describe('The allocation method as stated'),
  priority: z
    .number()
    .int()
    .optional()
    .describe(
      'Its priority among sponsors over a village, as stated (lower pays first); absent: by sponsor kind',
    ),
  share: payerShare
    .optional()
    .describe('The share of each covered worker-month it pays; absent: the whole premium'),
  coFunds: id.optional().describe('The commitment whose workers it co-funds, topping up its share'),
  status: z.enum(COMMITMENT_STATES),
  draftedBy: z.string(),
  approvedBy: z.string().optional(),
  allocated: rupiah.describe('Village quotas plus incentive money awarded; never above the budget'),
  awarded: rupiah.optional().describe('Incentive money owed to regions; absent before the first money award'),
  awardedQuota: rupiah
    .optional()
    .describe(
      'Extra village quota awarded by incentive schemes (inside `allocated`); absent before the first',
    ),
  createdAt: timestamp,
  approvedAt: timestamp.optional(),
  closedAt: timestamp.optional(),
  closedBy: z.string().optional().describe('Who rejected or withdrew the draft'),
  rejectionReason: z.string().optional(),
};

export const commitment = named(
  'Commitment',
  z.object({ ...commitmentFields, villageCodes: z.array(villageCode) }),
);

/** A commitment with the count of its villages instead of their codes (a province's holds ~1,500). */
export const commitmentSummary = named(
  'CommitmentSummary',
  z.object({ ...commitmentFields, villages: count }),
);

export const commitmentSummaryList = named(
  'CommitmentSummaryList',
  z.object({ items: z.array(commitmentSummary) }),
);

export const regionChildList = named(
  'RegionChildList',
  z.object({
    items: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        level: z.enum(REGION_LEVELS),
        villages: count.optional().describe('Villages below it; absent for a village'),
      }),
    ),
  }),
);

export const commitmentWithTotals = named(
  'CommitmentWithTotals',
  z.object({
    ...commitmentFields,
    villages: count,
    totals: z.object({
      budget: rupiah,
      allocated: rupiah,
      awarded: rupiah.describe('Incentive money owed to regions (a payable, not a village quota)'),
      unallocated: rupiah,
      reserved: rupiah,
      spent: rupiah,
      released: rupiah,
      remaining: rupiah,
      enrolledWorkers: count,
    }),
  }),
);

export const allocation = named(
  'Allocation',
  z.object({
    commitmentId: id,
    villageCode,
    status: z.enum(['active', 'closed']),
    budget: rupiah,
    available: rupiah,
    reserved: rupiah,
    spent: rupiah,
    released: rupiah,
    workers: count,
    fiscalYear: z.number().int(),
    sponsorId: id,
    rolledThrough: period.optional().describe('The last period the roll has renewed'),
    closedThrough: period.optional().describe('The last period invoiced: no enrollment may start in it'),
  }),
);

export const reallocation = named(
  'Reallocation',
  z.object({
    id,
    commitmentId: id,
    sponsorId: id,
    moves: z.array(z.object({ from: villageCode, to: villageCode, amount: rupiah })),
    reason: z.string().optional(),
    status: z.enum(REALLOCATION_STATES),
    total: rupiah,
    proposedBy: z.string(),
    proposedAt: timestamp,
    approvedBy: z.string().optional(),
    approvedAt: timestamp.optional(),
    closedBy: z.string().optional().describe('Who rejected or withdrew the proposal'),
    closedAt: timestamp.optional(),
    rejectionReason: z.string().optional(),
  }),
);

const enrollmentFields = {
  id,
  commitmentId: id,
  villageCode,
  nikMasked: z.string().describe('The NIK with all but its first 6 and last 4 digits masked'),
  name: z.string().optional(),
  birthDate: z.string(),
  sex: z.enum(['F', 'M']),
  segment: z.enum(WORKER_SEGMENTS).optional(),
  status: z.enum(ENROLLMENT_STATES),
  startPeriod: period,
  reservedThrough: period,
  reservedAmount: rupiah,
  monthlyPremium: rupiah,
  enrolledBy: z.string(),
  enrolledAt: timestamp,
  reservation: z.enum(RESERVATION_MODES),
  payers: z
    .array(enrollmentPayer)
    .optional()
    .describe('Who pays which share, when the premium is shared (`reservedAmount` is then the primary’s)'),
  workerShare: rupiah.optional().describe('The worker’s own share of the start period’s premium, if any'),
  endPeriod: period.optional().describe('The first period no longer covered'),
  endReason: z
    .enum(['terminated', 'age-limit', 'budget', 'unpaid', 'fiscal-year-end', 'carried-over'])
    .optional(),
  endedAt: timestamp.optional(),
  carriedFrom: id.optional(),
  carriedTo: id.optional(),
};

export const enrollment = named('Enrollment', z.object(enrollmentFields));
/** A village's commitments of a year in funding order, judged for a worker (`POST …/funding-options`). */
export const fundingOptions = named(
  'FundingOptions',
  z.object({
    villageCode,
    fiscalYear: z.number().int(),
    startPeriod: period,
    worker: z
      .object({ nikMasked: z.string(), age: count, segment: z.enum(WORKER_SEGMENTS).optional() })
      .optional()
      .describe('The worker judged, NIK masked; absent when none was given'),
    chosen: id.nullable().describe('The commitment an enrollment without a named commitment goes to'),
    options: z.array(
      z.object({
        commitmentId: id,
        sponsor: z.object({ id, name: z.string(), kind: z.enum(SPONSOR_KINDS) }),
        priority: z.number().int().describe('Lower pays first; then the earlier approval, then the id'),
        prioritySource: z
          .enum(['stated', 'sponsor-kind'])
          .describe('Stated by the commitment, or taken from its sponsor’s kind'),
        approvedAt: timestamp,
        reservation: z.enum(RESERVATION_MODES),
        available: rupiah.describe('The village’s quota not yet reserved or spent'),
        cost: rupiah.describe('What enrolling the worker from the start period reserves'),
        eligibility: eligibility.nullable().describe('Its rules beyond 18–65; null: none'),
        verdict: z.enum([
          'takes',
          'not-eligible',
          'quota-exhausted',
          'period-closed',
          'commitment-not-active',
        ]),
        reason: z.string().optional().describe('Why it does not take the worker'),
        details: z.record(z.string(), z.unknown()).optional().describe('The rule, or the quota and the cost'),
      }),
    ),
  }),
);

export const terminatedEnrollment = named(
  'TerminatedEnrollment',
  z.object({
    ...enrollmentFields,
    returned: rupiah.describe(
      "The premium reserved beyond the end, back in the village's available quota: a seat the village can fill again within the fiscal year",
    ),
    released: rupiah.describe(
      'The premium reserved beyond the end released for good (0 for a termination: it is returned, see `returned`)',
    ),
  }),
);

const importRowCounts = z.object({ total: count, done: count, enrolled: count, refused: count });

const importJobFields = {
  id,
  villageCode,
  commitmentId: id,
  state: z.enum(['receiving', 'queued', 'running', 'done']),
  rows: importRowCounts,
  byCode: z.record(z.string(), count).describe('Refused rows per problem code'),
  createdAt: timestamp,
  updatedAt: timestamp,
  finishedAt: timestamp.optional(),
  stalledSince: timestamp
    .optional()
    .describe(
      "Set when a job that is not done has not moved for longer than the import queue's visibility timeout",
    ),
  links: z.object({ self: z.string() }),
};

/** An import job as `POST …/enrollments/import` answers it (202): the rows are enrolled by a queue worker. */
export const importJob = named('ImportJob', z.object(importJobFields));

/** An import job with a page of its per-row results. */
export const importJobResults = named(
  'ImportJobResults',
  z.object({
    ...importJobFields,
    items: z.array(
      z.object({
        row: z.number().int().positive().describe('1-based, in the order of the rows of the file'),
        nik: z.string().describe('Masked'),
        outcome: z.enum(['enrolled', 'refused']),
        status: z.number().int().describe('The status the single enrollment request would have answered'),
        enrollmentId: id.optional(),
        code: z.string().optional(),
        message: z.string().optional(),
      }),
    ),
    nextPageToken,
  }),
);

const invoiceFields = {
  id,
  number: z
    .number()
    .int()
    .optional()
    .describe("The sponsor's gap-free sequence number of the year; absent while the invoice is a draft"),
  numberText: z
    .string()
    .optional()
    .describe("The year and the sponsor's gap-free sequence number, e.g. 2027/000123; absent on a draft"),
  sponsorId: id,
  commitmentId: id,
  villageCode,
  period,
  dueDate: z.string(),
  total: rupiah,
  lineCount: count,
  status: z.enum(INVOICE_STATES),
  draftedAt: timestamp.optional().describe('When the roll drafted it and moved its money'),
  issuedAt: timestamp.optional().describe('When it was numbered; absent while it is a draft'),
  paymentCode: z.string().optional(),
  acknowledgedAt: timestamp.optional(),
  paidAt: timestamp.optional(),
  paidAmount: rupiah.optional(),
  sentAt: timestamp.optional().describe('When the roll first handed it to billing'),
  lastSentAt: timestamp.optional().describe('When it was last handed to billing (the sweep resends)'),
  sendCount: count.optional().describe('How many times it was handed to billing'),
  voidedAt: timestamp.optional(),
  voidReason: z.string().optional(),
  creditNote: z.string().optional(),
};

export const invoice = named('Invoice', z.object(invoiceFields));

export const invoiceWithLines = named(
  'InvoiceWithLines',
  z.object({
    ...invoiceFields,
    lines: z.array(
      z.object({ enrollmentId: id, nikMasked: z.string(), name: z.string().optional(), premium: rupiah }),
    ),
  }),
);

export const rollSummary = named(
  'RollSummary',
  z.object({
    period,
    commitments: count,
    units: count,
    closing: count,
    partners: count.describe(
      'Collection partners sent to apply their workers’ contribution accounts for the period (and remit)',
    ),
    incentives: z
      .object({ schemes: count, awarded: count })
      .describe('Incentive schemes whose period ended before this one, evaluated now, and their new awards'),
  }),
);

const incentiveAward = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('money'), amount: rupiah }),
  z.object({ kind: z.literal('quota'), workerYears: count }),
]);

const incentiveOutcome = named(
  'IncentiveOutcome',
  z.object({
    evaluatedAt: timestamp,
    reached: count.describe('Regions at or above the threshold: each has one award, funded or not'),
    awarded: count,
    unfunded: count,
  }),
);

const incentiveFields = {
  id,
  sponsorId: id,
  commitmentId: id,
  fiscalYear: z.number().int(),
  name: z.string(),
  period: period.describe('The regions must reach the threshold by this period; evaluated once it has ended'),
  regions: z.array(z.string()),
  threshold: z.number().describe('The share of each region’s target to reach, in percent'),
  award: incentiveAward,
  awardCost: rupiah.describe('What one award costs the commitment'),
  status: z.enum(['pending', 'evaluated']),
  createdBy: z.string(),
  createdAt: timestamp,
  outcome: incentiveOutcome.optional(),
};

export const incentiveScheme = named('IncentiveScheme', z.object(incentiveFields));

export const incentiveSchemeList = named(
  'IncentiveSchemeList',
  z.object({ items: z.array(incentiveScheme) }),
);

export const incentiveSchemeWithAwards = named(
  'IncentiveSchemeWithAwards',
  z.object({
    ...incentiveFields,
    awards: z.array(
      z.object({
        regionCode: z.string(),
        regionName: z.string(),
        status: z.enum(['awarded', 'unfunded']),
        reason: z
          .enum(['budget-exceeded', 'commitment-not-active', 'allocation-closed'])
          .optional()
          .describe('Why an unfunded award moved nothing'),
        kind: z.enum(['money', 'quota']),
        amount: rupiah,
        workerYears: count.optional(),
        covered: count.describe('Workers covered in the region in the scheme’s period'),
        target: count.describe('Workers the region’s target asks'),
        at: timestamp,
      }),
    ),
  }),
);

const invoiceFigures = z.object({ count, amount: rupiah });

const targetSet = z.object({
  workers: count.optional().describe('The target in workers'),
  percent: z.number().optional().describe('The target as a share of the vulnerable workers, in percent'),
  setBy: z.string(),
  setAt: timestamp,
});

export const eligibilityList = named(
  'EligibilityList',
  z.object({
    sponsorId: id,
    list: z.string(),
    members: count.describe('Workers on the list (held as keyed hashes of their NIKs, never the NIKs)'),
  }),
);

export const regionTarget = named(
  'RegionTarget',
  z.object({
    code: z.string(),
    name: z.string(),
    fiscalYear: z.number().int(),
    target: targetSet.nullable().describe('As set; null when none is set for the year'),
    vulnerableWorkers: count,
    targetWorkers: count.describe('The workers the target asks; without one, the vulnerable workers'),
  }),
);

const targetOutlook = named(
  'TargetOutlook',
  z
    .discriminatedUnion('status', [
      z.object({ status: z.literal('no-target') }),
      z.object({
        status: z.literal('reached'),
        period: period.describe('The first month at or over the target'),
      }),
      z.object({
        status: z.literal('projected'),
        period: period.describe('The month the target is reached at the current rate'),
        workersPerMonth: z.number().describe('Net growth of covered workers a month, one decimal'),
        basisMonths: count.describe('The months the rate is measured over'),
        withinFiscalYear: z.boolean(),
      }),
      z.object({
        status: z.literal('not-at-current-rate'),
        workersPerMonth: z.number(),
        basisMonths: count,
      }),
      z.object({
        status: z.literal('not-reached').describe('The fiscal year is over, the target not reached'),
      }),
    ])
    .describe(
      'When the target is reached: the month it was, or the month it will be at the net growth of covered workers since the first covered month of the year',
    ),
);

const regionFigures = named(
  'RegionFigures',
  z.object({
    code: z.string(),
    name: z.string(),
    level: z.enum([...REGION_LEVELS, 'national', 'commitment']),
    target: count.describe('The target set for the region and year, or else its vulnerable workers'),
    vulnerableWorkers: count.describe('Its villages’ vulnerable workers on record (imported targets)'),
    targetSet: targetSet
      .nullable()
      .describe('The target set for the year; null: measured by vulnerable workers'),
    gap: count.describe('Workers still to cover to reach the target'),
    gapCost: rupiah.describe('What covering the gap costs a year at the JKK + JKM minimum premium'),
    outlook: targetOutlook,
    covered: count,
    coveragePercent: z.number().nullable().describe('Covered in percent of the target; null without one'),
    committed: rupiah,
    allocated: rupiah,
    reserved: rupiah,
    spent: rupiah,
    released: rupiah,
    remaining: rupiah,
    used: rupiah.describe('Quota used: reserved for enrolled workers, or spent'),
    quotas: count,
    invoices: z.record(z.enum(INVOICE_STATES), invoiceFigures),
    awarded: z
      .object({
        money: rupiah.describe('Incentive money owed to the region or to regions within it'),
        quota: rupiah.describe('Extra village quota awarded within the region'),
      })
      .optional()
      .describe('What the sponsor’s incentive schemes of the year awarded here (a sponsor’s report only)'),
  }),
);

export const coverageReport = named(
  'CoverageReport',
  z.object({
    fiscalYear: z.number().int(),
    fiscalYears: z.array(z.number().int()),
    sponsorId: id.optional(),
    region: regionFigures,
    trend: z
      .array(z.object({ period, covered: count }))
      .describe(
        'The region’s covered workers in each month of the fiscal year so far (to the current month)',
      ),
    children: z.array(regionFigures),
    commitments: z.array(
      z.object({
        commitmentId: id,
        sponsorId: id,
        fiscalYear: z.number().int(),
        budget: rupiah,
        committed: rupiah,
        status: z.string().optional(),
        sponsorName: z.string().nullable(),
      }),
    ),
  }),
);

export const budgetReport = named(
  'BudgetReport',
  z.object({
    commitmentId: id,
    sponsorId: id,
    fiscalYear: z.number().int(),
    status: z.enum(COMMITMENT_STATES),
    committed: rupiah,
    allocated: rupiah.describe('Village quotas, extra quota awarded by incentive schemes included'),
    awarded: z
      .object({
        money: rupiah.describe('Incentive money owed to regions (a payable, outside the village quotas)'),
        quota: rupiah.describe('Extra village quota awarded by incentive schemes (inside `allocated`)'),
      })
      .describe('What the sponsor’s incentive schemes awarded from this commitment'),
    unallocated: rupiah,
    reserved: rupiah,
    spent: rupiah,
    released: rupiah,
    remaining: rupiah,
    covered: count,
    villages: count,
    invoices: z.record(z.enum(INVOICE_STATES), invoiceFigures),
    burn: z.array(z.object({ period, spent: rupiah, cumulativeSpent: rupiah })),
    forecast: z
      .object({
        monthlyBurn: rupiah.describe('Mean spending of the basis periods, rounded down'),
        basis: z.array(period).describe('The last (up to 3) periods with spending, oldest first'),
        monthsOfCoverageLeft: count
          .nullable()
          .describe(
            'Whole months after the last basis period the unspent money pays at that pace, no further than December of the fiscal year; null before any spending',
          ),
        fundedThrough: period
          .nullable()
          .describe('The last period paid in full at that pace: never after `yearEnd`'),
        yearEnd: period.describe('December of the fiscal year'),
        monthsToYearEnd: count
          .nullable()
          .describe('Months from the last basis period to `yearEnd`; null before any spending'),
        lastsTheYear: z
          .boolean()
          .nullable()
          .describe('Whether the unspent money pays through December at that pace; null before any spending'),
        neededToYearEnd: rupiah.describe('What the months to `yearEnd` cost at that pace, rounded up'),
        surplusAtYearEnd: rupiah.describe(
          'Unspent money left at the year end at that pace (released at the close); 0 when it runs out',
        ),
        shortfallToYearEnd: rupiah.describe(
          'What is missing to pay through December at that pace; 0 when the money lasts',
        ),
        nextYearNeed: rupiah.describe(
          "Next fiscal year's commitment that covers the workers of the current pace for 12 months, rounded up",
        ),
      })
      .describe('The forecast within the fiscal year, at the pace of the last months with spending'),
  }),
);

export const coveragePlan = named(
  'CoveragePlan',
  z.object({
    fiscalYear: z.number().int(),
    region: z.object({
      code: z.string(),
      name: z.string(),
      vulnerableWorkers: count.describe('Its villages’ vulnerable workers on record (imported targets)'),
    }),
    sponsorId: id.optional(),
    benefit: z.object({ programs: z.array(z.enum(['JKK', 'JKM', 'JHT'])), declaredIncome: rupiah }),
    targetPercent: z.number().nullable().describe('The target as a share of `workers`, or null'),
    workers: count.nullable().describe('The region’s workers the percentage is of, or null'),
    targetWorkers: count,
    covered: count,
    coveredFrom: z.enum(['lindung', 'query']).describe('Lindung’s reports, or the caller’s figure'),
    gap: count.describe('Workers still to cover to reach the target; 0 once reached'),
    costPerWorker: rupiah.describe('A full year’s premium of the benefit package'),
    cost: rupiah.describe('gap × costPerWorker: the yearly budget the gap needs'),
    regions: z
      .array(
        z.object({
          code: z.string(),
          name: z.string(),
          vulnerableWorkers: count,
          workers: count,
          cost: rupiah,
        }),
      )
      .describe(
        'The gap split over the child regions by vulnerable workers (largest remainder); empty without them',
      ),
  }),
);

export const workersReport = named(
  'WorkersReport',
  z.object({ commitmentId: id, villageCode, items: z.array(enrollment) }),
);

export const allocationPage = named('AllocationPage', page(allocation));
export const reallocationPage = named('ReallocationPage', page(reallocation));
export const enrollmentPage = named('EnrollmentPage', page(enrollment));
export const invoicePage = named('InvoicePage', page(invoice));

export const stuckReport = named(
  'StuckReport',
  z.object({
    at: timestamp,
    period,
    unrolled: z.array(
      z.object({
        commitmentId: id,
        action: z.enum(['renew', 'close']),
        villageCodes: z.array(villageCode),
        villages: count,
      }),
    ),
    unrolledVillages: count,
    unansweredAfterMinutes: count,
    unanswered: z.array(
      z.object({
        id,
        numberText: z.string().optional().describe('Absent on a draft still waiting for its number'),
        sponsorId: id,
        villageCode,
        period,
        status: z.enum(INVOICE_STATES),
        total: rupiah,
        lastSentAt: timestamp,
        sendCount: count,
      }),
    ),
    deadLetters: z.record(z.string(), count).describe('Messages in each queue’s dead-letter queue'),
  }),
);

export const redriveResult = named(
  'RedriveResult',
  z.object({
    queues: z.record(
      z.string(),
      z.object({
        status: z
          .enum(['unconfigured', 'empty', 'moving', 'moved'])
          .describe('moving: an SQS message move task runs; moved: moved by hand (an emulator without one)'),
        moved: count.optional(),
        left: count.optional(),
        deadLetters: count.optional(),
        taskHandle: z.string().optional(),
      }),
    ),
  }),
);

const componentStatus = z.enum(['ok', 'unavailable']);

/** Open: other members may join it (e.g. the functions a deployment runs, with their bundles' sha256). */
export const health = named(
  'Health',
  z.looseObject({
    status: componentStatus,
    versions: z.looseObject({ lindung: z.string(), node: z.string() }),
    dynamodb: z.object({
      status: componentStatus,
      tables: z.record(
        z.string(),
        z.object({ status: z.string(), items: count.optional(), error: z.string().optional() }),
      ),
    }),
    sqs: z.object({
      status: componentStatus,
      queues: z.record(
        z.string(),
        z.object({
          status: z.string(),
          messages: count.optional(),
          deadLetters: count.optional(),
          error: z.string().optional(),
        }),
      ),
    }),
  }),
);

export const openApiDocumentSchema = named(
  'OpenApiDocument',
  z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }),
);

/** A collection partner's terms, as registered. */
const partnerTerms = z.object({
  id,
  name: z.string(),
  kind: z.enum(PARTNER_KINDS),
  areaCode: z.string().describe('The region it collects in'),
  feeRateBasisPoints: count.describe('Its fee on what it collects, e.g. 750 = 7.5 %'),
  createdAt: timestamp,
  createdBy: z.string(),
});

/** A collection partner with its all-time totals (deposited = applied + held + refunded). */
export const partner = named(
  'Partner',
  partnerTerms.extend({
    totals: z.object({
      deposited: rupiah,
      refunded: rupiah,
      applied: rupiah.describe('Paid into premiums from balances (by the roll)'),
      held: rupiah.describe('Collected and neither refunded nor applied'),
    }),
  }),
);

/** A partner as the directory lists it: its terms, not its running totals (those are on `GET /v1/partners/{id}`). */
export const partnerEntry = named('PartnerEntry', partnerTerms);
export const partnerPage = named('PartnerPage', page(partnerEntry));

const masked = z.string().describe('The NIK masked: 4 first and 2 last digits');

export const deposit = named(
  'Deposit',
  z.object({
    partnerId: id,
    receiptNumber: z.string(),
    nikMasked: masked,
    amount: rupiah,
    depositedAt: z.string().describe('YYYY-MM-DD'),
    period: period.describe('The statement it counts in'),
    villageCode: villageCode.optional(),
    recordedBy: z.string(),
    recordedAt: timestamp,
  }),
);

/**
 * The answer of a list of deposits: one result per deposit, in the order sent. `recorded` (status 201) was
 * written now; `replayed` (200) is a receipt recorded before with the same content, nothing written;
 * `refused` (409 `receipt-conflict`) a receipt recorded before with another content.
 */
export const depositResults = named(
  'DepositResults',
  z
    .object({
      recorded: count,
      replayed: count,
      refused: count,
      results: z.array(
        z.union([
          z.object({
            receiptNumber: z.string(),
            outcome: z.enum(['recorded', 'replayed']),
            status: z.union([z.literal(200), z.literal(201)]),
            deposit,
          }),
          z.object({
            receiptNumber: z.string(),
            outcome: z.literal('refused'),
            status: z.number().int(),
            code: z.string().describe('receipt-conflict'),
            message: z.string(),
          }),
        ]),
      ),
    })
    .describe(
      'One result per deposit, in the order sent (201 whatever each result is). recorded (201): written now; replayed (200): the receipt was recorded before with the same content, nothing written; refused (409 receipt-conflict): the receipt was recorded before with another content. A list is all-or-nothing only in its validation: a body the contract refuses records nothing (422).',
    ),
);

export const contributionBalance = named(
  'ContributionBalance',
  z.object({
    balance: rupiah.describe('What the worker has to pay premiums from'),
    deposited: rupiah,
    refunded: rupiah,
    applied: rupiah,
    deposits: z.array(deposit).describe('The worker’s deposits at this partner, newest first (at most 100)'),
  }),
);

export const refundResult = named(
  'RefundResult',
  z.object({
    outcome: z
      .enum(['recorded', 'replayed'])
      .describe('replayed: the receipt was refunded before, nothing written'),
    refund: z.object({
      partnerId: id,
      receiptNumber: z.string(),
      nikMasked: masked,
      amount: rupiah,
      reason: z.string(),
      refundedBy: z.string(),
      refundedAt: timestamp,
    }),
  }),
);

export const partnerStatement = named(
  'PartnerStatement',
  z.object({
    partnerId: id,
    period,
    feeRateBasisPoints: count,
    collected: rupiah.describe('Deposits dated in the period'),
    fee: rupiah.describe('floor(collected × feeRateBasisPoints / 10 000)'),
    rounding: z.literal('floor'),
    deposits: count,
    workers: count.describe('Distinct workers who deposited in the period'),
    applied: rupiah.describe('Workers’ own shares of the period paid from their balances by the roll'),
    remitted: rupiah.describe('The remittance of the period to BPJS billing (= applied once issued)'),
    remittanceStatus: z.enum(['issued', 'acknowledged', 'paid']).optional(),
  }),
);

const programs = z.array(z.enum(['JKK', 'JKM', 'JHT']));

export const contributionAccount = named(
  'ContributionAccount',
  z.object({
    partnerId: id,
    nikMasked: masked,
    villageCode,
    birthDate: z.string().optional(),
    kind: z
      .enum(['add-on', 'self-paying'])
      .describe('add-on: JHT beside a sponsor’s JKK + JKM; self-paying: the whole premium, no sponsor'),
    programs,
    declaredIncome: rupiah,
    startPeriod: period,
    status: z.enum(['active', 'lapsed']),
    lapsedFrom: period
      .optional()
      .describe('Lapsed after 3 unpaid months in a row (BPU rule), from this month'),
    unpaidRun: count.describe('Unpaid months in a row up to lastMonth'),
    lastMonth: period.optional().describe('The last month the roll decided'),
    registeredBy: z.string(),
    registeredAt: timestamp,
  }),
);

export const contributorRegistration = named(
  'ContributorRegistration',
  z.object({
    outcome: z.enum(['recorded', 'replayed']).describe('replayed: registered before with the same terms'),
    account: contributionAccount,
  }),
);

export const contributorLookup = named(
  'ContributorLookup',
  z.object({
    account: contributionAccount,
    balance: z.object({ balance: rupiah, deposited: rupiah, refunded: rupiah, applied: rupiah }),
  }),
);

export const remittance = named(
  'Remittance',
  z.object({
    id: z.string().describe('{partnerId}_{period}'),
    partnerId: id,
    period,
    total: rupiah.describe('Σ lines = what the roll applied from balances for the period'),
    lineCount: count,
    status: z.enum(['issued', 'acknowledged', 'paid']),
    issuedAt: timestamp,
    paymentCode: z.string().optional(),
    paidAt: timestamp.optional(),
    lines: z.array(z.object({ nikMasked: masked, programs, amount: rupiah })),
  }),
);
