/** The request bodies of the HTTP contract; the OpenAPI document is generated from the same schemas. */
import { findRegion, MAX_REALLOCATION_MOVES } from '@lindung/core';
import * as z from 'zod';

const rupiah = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).describe('Integer rupiah');
/** A well-formed code must also name a region of the region data: money must never go to a made-up village. */
const inRegionData = (code: string) => findRegion(code) !== undefined;
const UNKNOWN_REGION = 'no region with this code in the region data (idn-area-data)';
const regionCode = z
  .string()
  .regex(/^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/, { abort: true })
  .refine(inRegionData, UNKNOWN_REGION)
  .describe('idn-area-data code, e.g. 15.01.01.2001');
const villageCode = z
  .string()
  .regex(/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/, { abort: true })
  .refine(inRegionData, UNKNOWN_REGION)
  .describe('Village code, e.g. 15.01.01.2001');
const period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .describe('Period YYYY-MM');
const percent = z.number().gt(0).max(100).describe('Percent, e.g. 10 for 10 %');

export const createSponsorBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['province', 'regency', 'city', 'village', 'other']),
  regionCode,
});

export const budgetRule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), amount: rupiah.positive() }),
  z.strictObject({
    kind: z.literal('percent-of-grant'),
    grantPerVillage: rupiah.positive(),
    percent,
    region: regionCode.describe('Every village of this region receives the grant'),
  }),
]);

const villageSelection = {
  region: regionCode.optional().describe('Every village of this region'),
  villages: z.array(villageCode).min(1).max(100_000).optional(),
};

export const allocationRule = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('equal'), ...villageSelection }),
  z.strictObject({ method: z.literal('percent-of-grant') }),
  z.strictObject({
    method: z.literal('proportional'),
    targets: z.record(villageCode, z.number().int().nonnegative()),
  }),
  z.strictObject({ method: z.literal('explicit'), amounts: z.record(villageCode, rupiah) }),
]);

export const draftCommitmentBody = z.strictObject({
  sponsorId: z.string().min(1).max(64),
  fiscalYear: z.number().int().min(2020).max(2100),
  budget: budgetRule,
  benefit: z.strictObject({
    programs: z
      .array(z.enum(['JKK', 'JKM', 'JHT']))
      .min(2)
      .max(3),
    declaredIncome: rupiah,
  }),
  reservation: z.enum(['fiscal-year', 'monthly']).default('fiscal-year'),
  allocation: allocationRule.default({ method: 'percent-of-grant' }),
});

const commitmentId = z.string().min(1).max(64);
const nik = z.string().regex(/^\d{16}$/, 'a NIK is 16 digits');
const workerName = z.string().trim().min(1).max(200);

export const enrollBody = z.strictObject({
  commitmentId,
  worker: z.strictObject({
    nik,
    name: workerName.optional(),
  }),
  startPeriod: period,
});

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().max(2048).optional(),
});

/** A village's enrollments: all of them, or those one commitment pays for (how its sponsor reads them). */
export const villageEnrollmentsQuery = pageQuery.extend({ commitmentId: commitmentId.optional() });

/** The most rows one import job may hold (the import worker enrolls them after the 202, chunk by chunk). */
export const MAX_IMPORT_ROWS = 50_000;

/** One worker of an import: a CSV line under the header `nik,name,startPeriod`, or a JSON object. */
export const importRow = z.strictObject({
  nik,
  name: workerName.optional(),
  startPeriod: period,
});

const importRows = <T extends z.ZodType>(row: T) =>
  z
    .array(row)
    .min(1, 'name at least one row')
    .max(MAX_IMPORT_ROWS, `at most ${MAX_IMPORT_ROWS} rows per import`);

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
    .array(z.strictObject({ from: villageCode, to: villageCode, amount: rupiah.positive() }))
    .min(1)
    .max(MAX_REALLOCATION_MOVES)
    .describe(`At most ${MAX_REALLOCATION_MOVES} moves; a village's change is the net of its moves`),
  reason: z.string().trim().min(1).max(500).optional(),
});

/** A rejection of a draft commitment or a proposed reallocation: the approver says why. */
export const rejectBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).describe('Why it is rejected, for the person who drafted it'),
});

/** A sponsor's commitments, optionally only one state (`draft`: those waiting for approval). */
export const sponsorCommitmentsQuery = z.strictObject({
  status: z.enum(['draft', 'activating', 'active', 'closed', 'rejected', 'withdrawn']).optional(),
});

export type RejectBody = z.infer<typeof rejectBody>;

export type CreateSponsorBody = z.infer<typeof createSponsorBody>;
export type DraftCommitmentBody = z.infer<typeof draftCommitmentBody>;
export type EnrollBody = z.infer<typeof enrollBody>;
export type ImportEnrollmentsRequest = z.infer<typeof importEnrollmentsRequest>;
export type ProposeReallocationBody = z.infer<typeof proposeReallocationBody>;

export const terminateBody = z.strictObject({
  fromPeriod: period.describe('The first period no longer covered'),
});

export const invoiceQuery = z.strictObject({
  sponsorId: z.string().min(1).max(64).optional(),
  villageCode: villageCode.optional(),
  period: period.optional(),
  status: z.enum(['issued', 'sent', 'acknowledged', 'paid', 'void']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().max(2048).optional(),
});

export type TerminateBody = z.infer<typeof terminateBody>;
export type InvoiceQueryParameters = z.infer<typeof invoiceQuery>;
