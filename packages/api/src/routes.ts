/**
 * The routes of the HTTP API as data. The Lambda handler dispatches on them, the CDK stack declares
 * the same routes on API Gateway, and the local stack matches requests against them to build the
 * `routeKey` and `pathParameters` that API Gateway would.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/commitments/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** `none` routes are public; `jwt` routes need a bearer token validated by the authorizer. */
  readonly auth: 'none' | 'jwt';
}

export const healthRoute: RouteDefinition = {
  method: 'GET',
  path: '/health',
  operationId: 'getHealth',
  summary: 'Versions and the state of storage and queues',
  auth: 'none',
};

const jwt = (method: HttpMethod, path: string, operationId: string, summary: string): RouteDefinition => ({
  method,
  path,
  operationId,
  summary,
  auth: 'jwt',
});

export const openApiRoute: RouteDefinition = {
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApi',
  summary: 'This API as an OpenAPI 3.1 document',
  auth: 'none',
};

export const apiRoutes = {
  createSponsor: jwt('POST', '/v1/sponsors', 'createSponsor', 'Create a sponsor'),
  draftCommitment: jwt('POST', '/v1/commitments', 'draftCommitment', 'Draft a commitment'),
  approveCommitment: jwt(
    'POST',
    '/v1/commitments/{id}/approve',
    'approveCommitment',
    'Approve a draft commitment',
  ),
  rejectCommitment: jwt(
    'POST',
    '/v1/commitments/{id}/reject',
    'rejectCommitment',
    'Reject a draft, with a reason',
  ),
  withdrawCommitment: jwt(
    'POST',
    '/v1/commitments/{id}/withdraw',
    'withdrawCommitment',
    'Withdraw own draft',
  ),
  listSponsorCommitments: jwt(
    'GET',
    '/v1/sponsors/{id}/commitments',
    'listSponsorCommitments',
    'Commitments',
  ),
  regionChildren: jwt('GET', '/v1/regions/{code}/children', 'regionChildren', 'Regions one level down'),
  getCommitment: jwt('GET', '/v1/commitments/{id}', 'getCommitment', 'A commitment with its totals'),
  listAllocations: jwt(
    'GET',
    '/v1/commitments/{id}/allocations',
    'listAllocations',
    'Village quotas, paginated',
  ),
  proposeReallocation: jwt(
    'POST',
    '/v1/commitments/{id}/reallocations',
    'proposeReallocation',
    'Propose moving unreserved quota between villages',
  ),
  approveReallocation: jwt(
    'POST',
    '/v1/commitments/{id}/reallocations/{reallocationId}/approve',
    'approveReallocation',
    'Approve a proposed reallocation (not by its proposer); moves the quota',
  ),
  rejectReallocation: jwt(
    'POST',
    '/v1/commitments/{id}/reallocations/{reallocationId}/reject',
    'rejectReallocation',
    'Reject a proposal',
  ),
  withdrawReallocation: jwt(
    'POST',
    '/v1/commitments/{id}/reallocations/{reallocationId}/withdraw',
    'withdrawReallocation',
    'Withdraw own proposal',
  ),
  listReallocations: jwt(
    'GET',
    '/v1/commitments/{id}/reallocations',
    'listReallocations',
    'A commitment’s reallocations, paginated',
  ),
  enroll: jwt(
    'POST',
    '/v1/villages/{code}/enrollments',
    'enroll',
    'Enroll one worker: under the commitment named, or the first in priority order that takes the worker',
  ),
  fundingOptions: jwt(
    'POST',
    '/v1/villages/{code}/funding-options',
    'fundingOptions',
    'The village’s commitments of a year in priority order: which can take a worker and why (the NIK in the body, never the URL)',
  ),
  importEnrollments: jwt(
    'POST',
    '/v1/villages/{code}/enrollments/import',
    'importEnrollments',
    'Start an import job of up to 50,000 workers from CSV or JSON rows: 202 with the job (Location: /v1/imports/{id})',
  ),
  getImport: jwt(
    'GET',
    '/v1/imports/{id}',
    'getImport',
    'An import job: its progress and a page of per-row results (NIK masked)',
  ),
  listVillageEnrollments: jwt(
    'GET',
    '/v1/villages/{code}/enrollments',
    'listVillageEnrollments',
    'A village’s enrollments',
  ),
  terminateEnrollment: jwt(
    'POST',
    '/v1/enrollments/{id}/terminate',
    'terminateEnrollment',
    "End a coverage from a period; the premium reserved beyond it returns to the village's available quota",
  ),
  listInvoices: jwt(
    'GET',
    '/v1/invoices',
    'listInvoices',
    'Invoices of a sponsor or a village, by period and state',
  ),
  getInvoice: jwt('GET', '/v1/invoices/{id}', 'getInvoice', 'An invoice with its lines (NIKs masked)'),
  rollPeriod: jwt(
    'POST',
    '/v1/periods/{period}/roll',
    'rollPeriod',
    'Run the period roll now (idempotent; the monthly schedule runs the same)',
  ),
  stuckOperations: jwt(
    'GET',
    '/v1/operations/stuck',
    'stuckOperations',
    'What is stuck: unrolled villages, unanswered invoices, dead letters',
  ),
  redriveDeadLetters: jwt(
    'POST',
    '/v1/operations/redrive',
    'redriveDeadLetters',
    'Move dead letters back to their source queues',
  ),
  coverageReport: jwt(
    'GET',
    '/v1/reports/coverage',
    'coverageReport',
    'Coverage against target of a region and of each child region (or village)',
  ),
  budgetReport: jwt(
    'GET',
    '/v1/reports/budget',
    'budgetReport',
    'A commitment’s budget: committed to remaining, burn per period, forecast months of coverage left',
  ),
  reportWorkers: jwt(
    'GET',
    '/v1/reports/workers',
    'reportWorkers',
    'A commitment’s workers in one village (NIK masked)',
  ),
  createPartner: jwt('POST', '/v1/partners', 'createPartner', 'Register a collection partner for an area'),
  listPartners: jwt(
    'GET',
    '/v1/partners',
    'listPartners',
    'The collection partners of an area (`area`: a region code and everything under it), a page at a time',
  ),
  getPartner: jwt('GET', '/v1/partners/{partnerId}', 'getPartner', 'A collection partner with its totals'),
  recordDeposits: jwt(
    'POST',
    '/v1/partners/{partnerId}/deposits',
    'recordDeposits',
    'Record one deposit or a list of up to 100 (one receipt number = one deposit); a result per deposit',
  ),
  lookupBalance: jwt(
    'POST',
    '/v1/partners/{partnerId}/balances/lookup',
    'lookupBalance',
    'A worker’s contribution balance and deposits at this partner (the NIK in the body, never the URL)',
  ),
  refund: jwt(
    'POST',
    '/v1/partners/{partnerId}/refunds',
    'refund',
    'Refund part of a worker’s balance (never more than the balance)',
  ),
  partnerStatement: jwt(
    'GET',
    '/v1/partners/{partnerId}/statements/{period}',
    'partnerStatement',
    'A partner’s monthly statement: collected, fee (rounded down), deposits, workers, applied and remitted',
  ),
  registerContributor: jwt(
    'POST',
    '/v1/partners/{partnerId}/contributors',
    'registerContributor',
    'Register a worker whose own share (JHT add-on, or self-paying JKK + JKM) the roll pays from their balance',
  ),
  lookupContributor: jwt(
    'POST',
    '/v1/partners/{partnerId}/contributors/lookup',
    'lookupContributor',
    'A worker’s contribution account and balance (the NIK in the body, never the URL)',
  ),
  getRemittance: jwt(
    'GET',
    '/v1/partners/{partnerId}/remittances/{period}',
    'getRemittance',
    'A partner’s remittance of a period to BPJS billing: total = Σ lines = applied',
  ),
  setTarget: jwt(
    'PUT',
    '/v1/regions/{code}/targets/{fiscalYear}',
    'setTarget',
    'Set a region’s coverage target for a fiscal year: workers, or a share of its vulnerable workers',
  ),
  getTarget: jwt(
    'GET',
    '/v1/regions/{code}/targets/{fiscalYear}',
    'getTarget',
    'A region’s coverage target for a fiscal year',
  ),
  planReport: jwt(
    'GET',
    '/v1/reports/plan',
    'planReport',
    'What reaching a region’s coverage target costs a year, split over its child regions by vulnerable workers',
  ),
  createIncentive: jwt(
    'POST',
    '/v1/incentives',
    'createIncentive',
    'Define an incentive scheme: regions that reach a share of their target by a period earn money or quota',
  ),
  listSponsorIncentives: jwt(
    'GET',
    '/v1/sponsors/{id}/incentives',
    'listSponsorIncentives',
    'A sponsor’s incentive schemes, newest first',
  ),
  getIncentive: jwt('GET', '/v1/incentives/{id}', 'getIncentive', 'An incentive scheme with its awards'),
  evaluateIncentive: jwt(
    'POST',
    '/v1/incentives/{id}/evaluate',
    'evaluateIncentive',
    'Evaluate an incentive scheme now (the roll after its period does it too); awards are made once',
  ),
  addListMembers: jwt(
    'POST',
    '/v1/sponsors/{sponsorId}/lists/{list}/members',
    'addListMembers',
    'Put up to 1,000 workers on a sponsor’s eligibility list (e.g. p3ke); NIKs are kept as keyed hashes only',
  ),
  removeListMembers: jwt(
    'POST',
    '/v1/sponsors/{sponsorId}/lists/{list}/members/remove',
    'removeListMembers',
    'Take up to 1,000 workers off a sponsor’s eligibility list',
  ),
  getList: jwt(
    'GET',
    '/v1/sponsors/{sponsorId}/lists/{list}',
    'getList',
    'How many workers a sponsor’s eligibility list holds',
  ),
} as const satisfies Record<string, RouteDefinition>;

export const routeDefinitions: readonly RouteDefinition[] = [
  healthRoute,
  openApiRoute,
  ...Object.values(apiRoutes),
];

/** `GET /v1/commitments/{id}`: the key API Gateway puts in `event.routeKey`. */
export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly pathParameters: Record<string, string>;
}

const templateSegment = /^\{([A-Za-z0-9_]+)\}$/;

const safeDecode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment) || undefined;
  } catch {
    return undefined; // a malformed escape is no match, answered as 404 rather than a crash
  }
};

/** Finds the route for a method and concrete path, with its path parameters (URL-decoded). */
export const matchRoute = (
  routes: readonly RouteDefinition[],
  method: string,
  path: string,
): RouteMatch | undefined => {
  const actual = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== actual.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((segment, i) => {
      const value = actual[i] ?? '';
      const parameter = templateSegment.exec(segment);
      if (!parameter?.[1]) return segment === value;
      const decoded = safeDecode(value);
      if (!decoded) return false;
      pathParameters[parameter[1]] = decoded;
      return true;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
};
