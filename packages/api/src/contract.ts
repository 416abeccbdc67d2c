/**
 * What every operation of the route table answers: its success status and body, the request body and query
 * it validates, and the problem codes it may answer beyond those every operation of its kind may. The
 * OpenAPI document is generated from this table and the route table; adding a route without a line here
 * fails the type check. Never imported by the Lambda (the document is built at build time).
 */
import { DOMAIN_ERROR_STATUS } from '@lindung/core';
import type * as z from 'zod';
import { partial, union } from 'zod/mini';
import {
  balanceLookupBody,
  createPartnerBody,
  depositBatchBody,
  depositBody,
  partnersQuery,
  refundBody,
  registerContributorBody,
} from './deposit-schemas.js';
import { importResultsQuery } from './enrollment-import.js';
import { listMembersBody } from './lists.js';
import { redriveBody, stuckQuery } from './operations.js';
import { planQuery } from './planner.js';
import { budgetQuery, coverageQuery, reportWorkersQuery } from './reports.js';
import * as responses from './responses.js';
import type { apiRoutes } from './routes.js';
import {
  createIncentiveBody,
  createSponsorBody,
  draftCommitmentBody,
  enrollBody,
  fundingOptionsBody,
  importEnrollmentsBody,
  importQuery,
  invoiceQuery,
  MAX_IMPORT_ROWS,
  pageQuery,
  proposeReallocationBody,
  rejectBody,
  sponsorCommitmentsQuery,
  terminateBody,
  villageEnrollmentsQuery,
} from './schemas.js';
import { setTargetBody } from './targets.js';

/** The contract of one operation. */
export interface OperationContract {
  /** The status of a successful answer. */
  readonly status: 200 | 201 | 202;
  /** The body of a successful answer; a schema of `responses.ts` (registered, so it becomes a component). */
  readonly response: z.ZodType;
  /** Other non-problem answers, e.g. `/health`'s 503 with the same body. */
  readonly also?: Readonly<Record<number, z.ZodType>>;
  /** The JSON request body (a `zod/mini` schema of schemas.ts, as the Lambda parses it). */
  readonly body?: z.core.$ZodType;
  /** Set when the body may be left out (the route then reads `{}`). */
  readonly bodyOptional?: true;
  /** Set when the body may also be CSV text: what the CSV holds. */
  readonly csv?: string;
  readonly query?: z.core.$ZodObject;
  /** Problem codes of the domain this operation may answer (the common ones are added by kind). */
  readonly problems?: readonly ProblemCode[];
}

/**
 * Codes the HTTP layer answers besides the domain's (middleware.ts and the gateway): an idempotency key in
 * use or reused with another body, a body of the wrong type or too large, and the generic 500.
 */
const TRANSPORT_PROBLEM_STATUS = {
  'idempotency-in-progress': 409,
  'idempotency-key-reused': 422,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  'internal-error': 500,
} as const;

/** Every problem code of the API with its HTTP status. */
export const PROBLEM_STATUS: Readonly<Record<string, number>> = {
  ...DOMAIN_ERROR_STATUS,
  ...TRANSPORT_PROBLEM_STATUS,
};

export type ProblemCode = keyof typeof DOMAIN_ERROR_STATUS | keyof typeof TRANSPORT_PROBLEM_STATUS;

/** What every route behind the JWT authorizer may answer. */
export const AUTHENTICATED_PROBLEMS: readonly string[] = [
  'unauthenticated',
  'forbidden',
  'validation-failed',
  'internal-error',
];

/**
 * What every POST may answer besides: its `Idempotency-Key` still running (409 with `Retry-After`) or reused
 * with another body (422), a body of the wrong type or too large.
 */
/** What any route that reads a body may answer before reading it: a body too large, or not JSON. */
export const BODY_PROBLEMS: readonly string[] = ['unsupported-media-type', 'payload-too-large'];

export const POST_PROBLEMS: readonly string[] = [
  'idempotency-in-progress',
  'idempotency-key-reused',
  ...BODY_PROBLEMS,
];

/**
 * What `POST /v1/partners/{partnerId}/deposits` takes: one deposit, or `{ deposits: [...] }` (the handler tells
 * them apart by `deposits`, `parseDeposits`); here only, so the union stays out of the function's bundle.
 */
export const recordDepositsBody = union([depositBody, depositBatchBody]);

/** Every operation's contract, by operationId. */
export const operationContracts = {
  getHealth: { status: 200, response: responses.health, also: { 503: responses.health } },
  getOpenApi: { status: 200, response: responses.openApiDocumentSchema },
  createSponsor: { status: 201, response: responses.sponsor, body: createSponsorBody },
  draftCommitment: {
    status: 201,
    response: responses.commitment,
    body: draftCommitmentBody,
    problems: ['budget-exceeded'],
  },
  approveCommitment: {
    status: 200,
    response: responses.commitment,
    problems: ['not-found', 'illegal-transition', 'budget-exceeded'],
  },
  rejectCommitment: {
    status: 200,
    response: responses.commitmentSummary,
    body: rejectBody,
    problems: ['not-found', 'illegal-transition'],
  },
  withdrawCommitment: {
    status: 200,
    response: responses.commitmentSummary,
    problems: ['not-found', 'illegal-transition'],
  },
  listSponsorCommitments: {
    status: 200,
    response: responses.commitmentSummaryList,
    query: sponsorCommitmentsQuery,
    problems: ['not-found'],
  },
  regionChildren: { status: 200, response: responses.regionChildList, problems: ['not-found'] },
  getCommitment: { status: 200, response: responses.commitmentWithTotals, problems: ['not-found'] },
  listAllocations: {
    status: 200,
    response: responses.allocationPage,
    query: pageQuery,
    problems: ['not-found'],
  },
  proposeReallocation: {
    status: 201,
    response: responses.reallocation,
    body: proposeReallocationBody,
    problems: ['not-found', 'commitment-not-active', 'quota-exhausted'],
  },
  approveReallocation: {
    status: 200,
    response: responses.reallocation,
    problems: ['not-found', 'illegal-transition', 'commitment-not-active', 'quota-exhausted'],
  },
  rejectReallocation: {
    status: 200,
    response: responses.reallocation,
    body: rejectBody,
    problems: ['not-found', 'illegal-transition'],
  },
  withdrawReallocation: {
    status: 200,
    response: responses.reallocation,
    problems: ['not-found', 'illegal-transition'],
  },
  listReallocations: {
    status: 200,
    response: responses.reallocationPage,
    query: pageQuery,
    problems: ['not-found'],
  },
  enroll: {
    status: 201,
    response: responses.enrollment,
    body: enrollBody,
    problems: [
      'not-found',
      'quota-exhausted',
      'already-covered',
      'commitment-not-active',
      'period-closed',
      'not-eligible',
    ],
  },
  fundingOptions: {
    status: 200,
    response: responses.fundingOptions,
    body: fundingOptionsBody,
  },
  importEnrollments: {
    status: 202,
    response: responses.importJob,
    body: importEnrollmentsBody,
    csv: `A header naming nik, startPeriod and optionally name and segment, then up to ${MAX_IMPORT_ROWS} lines; the commitment is the commitmentId query parameter`,
    // The commitment is in the query only for CSV (a JSON body names it).
    query: partial(importQuery),
    problems: ['not-found', 'commitment-not-active'],
  },
  getImport: {
    status: 200,
    response: responses.importJobResults,
    query: importResultsQuery,
    problems: ['not-found'],
  },
  listVillageEnrollments: {
    status: 200,
    response: responses.enrollmentPage,
    query: villageEnrollmentsQuery,
    problems: ['not-found'],
  },
  terminateEnrollment: {
    status: 200,
    response: responses.terminatedEnrollment,
    body: terminateBody,
    problems: ['not-found', 'illegal-transition', 'period-closed'],
  },
  listInvoices: { status: 200, response: responses.invoicePage, query: invoiceQuery },
  getInvoice: { status: 200, response: responses.invoiceWithLines, problems: ['not-found'] },
  rollPeriod: { status: 202, response: responses.rollSummary },
  stuckOperations: { status: 200, response: responses.stuckReport, query: stuckQuery },
  redriveDeadLetters: {
    status: 200,
    response: responses.redriveResult,
    body: redriveBody,
    bodyOptional: true,
  },
  coverageReport: {
    status: 200,
    response: responses.coverageReport,
    query: coverageQuery,
    problems: ['not-found'],
  },
  budgetReport: {
    status: 200,
    response: responses.budgetReport,
    query: budgetQuery,
    problems: ['not-found'],
  },
  reportWorkers: {
    status: 200,
    response: responses.workersReport,
    query: reportWorkersQuery,
    problems: ['not-found'],
  },
  createPartner: { status: 201, response: responses.partner, body: createPartnerBody },
  listPartners: { status: 200, response: responses.partnerPage, query: partnersQuery },
  getPartner: { status: 200, response: responses.partner, problems: ['not-found'] },
  recordDeposits: {
    status: 201,
    response: responses.depositResults,
    body: recordDepositsBody,
    problems: ['not-found'],
  },
  lookupBalance: {
    status: 200,
    response: responses.contributionBalance,
    body: balanceLookupBody,
    problems: ['not-found'],
  },
  refund: {
    status: 201,
    response: responses.refundResult,
    body: refundBody,
    problems: ['not-found', 'receipt-conflict', 'balance-insufficient'],
  },
  partnerStatement: { status: 200, response: responses.partnerStatement, problems: ['not-found'] },
  registerContributor: {
    status: 201,
    response: responses.contributorRegistration,
    body: registerContributorBody,
    problems: ['not-found', 'already-covered', 'period-closed'],
  },
  lookupContributor: {
    status: 200,
    response: responses.contributorLookup,
    body: balanceLookupBody,
    problems: ['not-found'],
  },
  getRemittance: { status: 200, response: responses.remittance, problems: ['not-found'] },
  setTarget: {
    status: 200,
    response: responses.regionTarget,
    body: setTargetBody,
    problems: ['not-found'],
  },
  getTarget: { status: 200, response: responses.regionTarget, problems: ['not-found'] },
  planReport: { status: 200, response: responses.coveragePlan, query: planQuery },
  createIncentive: {
    status: 201,
    response: responses.incentiveScheme,
    body: createIncentiveBody,
    problems: ['not-found', 'commitment-not-active'],
  },
  listSponsorIncentives: {
    status: 200,
    response: responses.incentiveSchemeList,
    problems: ['not-found'],
  },
  getIncentive: { status: 200, response: responses.incentiveSchemeWithAwards, problems: ['not-found'] },
  evaluateIncentive: {
    status: 200,
    response: responses.incentiveSchemeWithAwards,
    problems: ['not-found'],
  },
  addListMembers: {
    status: 200,
    response: responses.eligibilityList,
    body: listMembersBody,
    problems: ['not-found'],
  },
  removeListMembers: {
    status: 200,
    response: responses.eligibilityList,
    body: listMembersBody,
    problems: ['not-found'],
  },
  getList: { status: 200, response: responses.eligibilityList, problems: ['not-found'] },
} as const satisfies Record<keyof typeof apiRoutes | 'getHealth' | 'getOpenApi', OperationContract>;
