/**
 * The request bodies of collection partners, deposits and refunds (zod/mini, as schemas.ts). A schema refuses
 * what no partner could mean (a NIK that is no NIK, Rp 0, a day that is no calendar day, more than a day's
 * list) with a message a collector can act on; the use cases check what needs the partner (its area).
 */
import {
  findRegion,
  isIsoDate,
  isNik,
  isPeriod,
  MAX_DEPOSITS_PER_REQUEST,
  PARTNER_KINDS,
  PROGRAMS,
} from '@lindung/core';
import * as z from 'zod/mini';
// schemas.ts configures zod/mini's English messages, which these schemas' answers use too.
import { pageLimit } from './schemas.js';

/** A well-formed code of the region data: a province, regency, district or village. */
const regionCode = z.string().check(
  z.regex(/^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/, { abort: true }),
  z.refine(
    (code) => findRegion(code) !== undefined,
    'no region with this code in the region data (idn-area-data)',
  ),
  z.describe('idn-area-data code of a province, regency, district or village, e.g. 63.71'),
);
const villageCode = z.string().check(
  z.regex(/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/, {
    abort: true,
    message: 'a village code looks like 63.71.01.1001',
  }),
  z.refine((code) => findRegion(code) !== undefined, 'no village with this code in the region data'),
  z.describe('The worker’s village, within the partner’s area'),
);

/** A NIK: 16 digits that start with a region code and encode a real birth date. */
export const nikField = z.string().check(
  z.regex(/^\d{16}$/, { abort: true, message: 'a NIK is 16 digits' }),
  z.refine((nik) => isNik(nik), 'not a valid NIK: it must start with a region code and encode a birth date'),
);

/** Letters, digits and `. _ / -`, as receipt books print them; a receipt number names one deposit of a partner. */
export const receiptNumber = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/,
      'a receipt number is 1 to 64 letters, digits, ".", "_", "/" or "-"',
    ),
    z.describe('The number on the receipt given to the worker; one receipt is one deposit'),
  );

const amount = z
  .int('an amount is whole rupiah')
  .check(
    z.minimum(1, 'an amount is at least Rp 1'),
    z.maximum(Number.MAX_SAFE_INTEGER),
    z.describe('Integer rupiah, at least 1'),
  );

const calendarDate = z
  .string()
  .check(
    z.refine(isIsoDate, 'a calendar date YYYY-MM-DD, e.g. 2027-03-14'),
    z.describe('The day the worker paid, YYYY-MM-DD'),
  );

/** The partners of an area (a region code and everything under it), a page at a time. */
export const partnersQuery = z.object({
  area: z.optional(regionCode),
  limit: pageLimit(),
  pageToken: z.optional(z.string().check(z.maxLength(2048))),
});

export const createPartnerBody = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  kind: z.enum(PARTNER_KINDS),
  areaCode: regionCode,
  feeRateBasisPoints: z
    .int()
    .check(z.minimum(0), z.maximum(10_000), z.describe('The fee on what it collects, e.g. 750 for 7.5 %')),
});

/** One deposit: a worker paid `amount` on `depositedAt` against receipt `receiptNumber`. */
export const depositBody = z.strictObject({
  receiptNumber,
  nik: nikField,
  amount,
  depositedAt: calendarDate,
  villageCode: z.optional(villageCode),
});

/** A day's list of deposits from a phone. */
export const depositBatchBody = z.strictObject({
  deposits: z
    .array(depositBody)
    .check(
      z.minLength(1, 'name at least one deposit'),
      z.maxLength(MAX_DEPOSITS_PER_REQUEST, `at most ${MAX_DEPOSITS_PER_REQUEST} deposits per request`),
    ),
});

/**
 * The deposits of a body: a body naming `deposits` is a batch, anything else one deposit (so a refused body
 * gets the messages of the shape it tried, not a union's "invalid input").
 */
export const parseDeposits = (body: unknown): z.infer<typeof depositBody>[] =>
  typeof body === 'object' && body !== null && 'deposits' in body
    ? depositBatchBody.parse(body).deposits
    : [depositBody.parse(body)];

/** A worker's balance is asked with the NIK in the body: a NIK never goes in a URL (logs keep URLs). */
export const balanceLookupBody = z.strictObject({ nik: nikField });

export const refundBody = z.strictObject({
  receiptNumber,
  nik: nikField,
  amount,
  reason: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(500), z.describe('Why, e.g. the worker left')),
});

export type CreatePartnerBody = z.infer<typeof createPartnerBody>;
export type PartnersQuery = z.infer<typeof partnersQuery>;
export type DepositBody = z.infer<typeof depositBody>;
export type RefundBody = z.infer<typeof refundBody>;

/**
 * A worker whose own share the roll pays from their contribution balance: JHT alone (added to a sponsor’s
 * JKK + JKM) or JKK + JKM with JHT optional (self-paying, no sponsor). The use case checks the combination.
 */
export const registerContributorBody = z.strictObject({
  nik: nikField,
  villageCode,
  birthDate: z.optional(
    z
      .string()
      .check(z.refine(isIsoDate, 'a calendar date YYYY-MM-DD'), z.describe('The worker’s birth date')),
  ),
  programs: z
    .array(z.enum(PROGRAMS))
    .check(
      z.minLength(1),
      z.maxLength(3),
      z.describe('["JHT"] as an add-on to a sponsor’s JKK + JKM, or ["JKK","JKM"] (+ "JHT") self-paying'),
    ),
  declaredIncome: z._default(
    z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER), z.describe('Monthly rupiah')),
    1_000_000,
  ),
  startPeriod: z
    .string()
    .check(
      z.refine(isPeriod, 'a period YYYY-MM, e.g. 2064-03'),
      z.describe('The first month the share is due'),
    ),
});

export type RegisterContributorBody = z.infer<typeof registerContributorBody>;
