/** Lambda entry point of the HTTP API: API Gateway HTTP API (payload v2) → route → use case. */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  ActiveCommitmentTerms,
  acceptedBodies,
  addListMembers,
  answeredOnce,
  apiRoutes,
  approveCommitment,
  approveReallocation,
  type BillingServices,
  balanceLookupBody,
  budgetQuery,
  budgetReport,
  checkHealth,
  coverageQuery,
  coverageReport,
  createImport,
  createIncentive,
  createIncentiveBody,
  createPartner,
  createPartnerBody,
  createSponsor,
  createSponsorBody,
  type DepositServices,
  draftCommitment,
  draftCommitmentBody,
  enroll,
  enrollBody,
  evaluateIncentive,
  exactlyOncePerKey,
  fundingOptions,
  fundingOptionsBody,
  getCommitment,
  getImport,
  getIncentive,
  getInvoice,
  getList,
  getPartner,
  getRemittance,
  getTarget,
  healthRoute,
  IDEMPOTENCY_RECORD_ACTION,
  type ImportServices,
  type IncentiveServices,
  importEnrollmentsRequest,
  importJobPath,
  importRequestFromCsv,
  importResultsQuery,
  incentiveDeps,
  invoiceQuery,
  json,
  type ListServices,
  listAllocations,
  listInvoices,
  listMembersBody,
  listPartners,
  listReallocations,
  listSponsorCommitments,
  listSponsorIncentives,
  listVillageEnrollments,
  lookupBalance,
  lookupContributor,
  openApiDocumentText,
  openApiRoute,
  pageQuery,
  parseDeposits,
  partnerStatement,
  partnersQuery,
  planQuery,
  planReport,
  principalOf,
  problem,
  problemDetails,
  proposeReallocation,
  proposeReallocationBody,
  type ReportServices,
  recordDeposits,
  redriveBody,
  redriveDeadLetters,
  refund,
  refundBody,
  regionChildren,
  registerContributor,
  registerContributorBody,
  rejectBody,
  rejectCommitment,
  rejectReallocation,
  removeListMembers,
  reportWorkers,
  reportWorkersQuery,
  rollPeriodNow,
  routeKey,
  SCOPED_IDEMPOTENCY_HEADER,
  type Services,
  scopeIdempotencyKey,
  setTarget,
  setTargetBody,
  sponsorCommitmentsQuery,
  stuckQuery,
  stuckReport,
  TransactionalPersistenceLayer,
  targetParams,
  terminateBody,
  terminateEnrollment,
  villageEnrollmentsQuery,
  withdrawCommitment,
  withdrawReallocation,
} from '@lindung/api';
import { ValidationError } from '@lindung/core';
import { evaluateDueIncentives, rollPeriod, unansweredInvoices, unrolledVillages } from '@lindung/roll';
import {
  DepositRepository,
  ImportJobRepository,
  IncentiveRepository,
  idempotencyTable,
  ListRepository,
  ReallocationRepository,
  ReportsRepository,
  reportsTable,
  tableNameFromEnv,
} from '@lindung/store';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { httpApiFunction } from '../registry.js';
import { ownBundleSha256 } from '../shared/bundle-sha256.js';
import { dynamodbClient, sqsClient } from '../shared/clients.js';
import { continueImport } from '../shared/imports.js';
import { nikHashKey } from '../shared/nik-hash-key.js';
import { logger } from '../shared/observability.js';
import {
  commitments,
  contributions,
  db,
  enrollments,
  invoices,
  ledgerTableName,
  roll,
  sendRenewalWork,
} from '../shared/renewal.js';

const reports = new ReportsRepository(db, ledgerTableName, tableNameFromEnv(reportsTable));
const incentives = new IncentiveRepository(db, ledgerTableName);

const services: Services &
  BillingServices &
  ReportServices &
  ImportServices &
  DepositServices &
  IncentiveServices &
  ListServices = {
  deposits: new DepositRepository(db, ledgerTableName),
  contributions,
  imports: new ImportJobRepository(db, ledgerTableName),
  continueImport,
  commitments,
  commitmentTerms: new ActiveCommitmentTerms(commitments),
  enrollments,
  incentives,
  invoices,
  reallocations: new ReallocationRepository(db, ledgerTableName),
  lists: new ListRepository(db, ledgerTableName),
  reports,
  // The schedule's run, by hand: the fan-out, then the incentive schemes whose period has ended.
  rollPeriod: async (period) => ({
    ...(await rollPeriod(roll, period, sendRenewalWork)),
    incentives: await evaluateDueIncentives(incentiveDeps({ incentives, commitments, reports }), period),
  }),
};

const operations = {
  sqs: sqsClient,
  unrolledVillages: (period: Parameters<typeof unrolledVillages>[1]) => unrolledVillages(roll, period),
  unansweredInvoices: (at: Date, olderThanMinutes: number) =>
    unansweredInvoices({ roll, invoices }, at, olderThanMinutes),
};

const idempotencyOptions = {
  persistenceStore: new TransactionalPersistenceLayer({
    tableName: tableNameFromEnv(idempotencyTable),
    awsSdkV3Client: dynamodbClient,
  }),
  config: new IdempotencyConfig({
    eventKeyJmesPath: `headers."${SCOPED_IDEMPOTENCY_HEADER}"`,
    payloadValidationJmesPath: 'body',
    throwOnNoIdempotencyKey: false,
    expiresAfterSeconds: 24 * 60 * 60,
  }),
};

type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

/** The body as text; API Gateway base64-encodes a body whose type it does not take for text (e.g. CSV). */
const text = (event: APIGatewayProxyEventV2, what = 'JSON'): string => {
  if (!event.body) throw new ValidationError(`The request needs a ${what} body`);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
};
const body = (event: APIGatewayProxyEventV2): unknown => {
  const json = text(event);
  try {
    return JSON.parse(json);
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
};
const param = (event: APIGatewayProxyEventV2, name: string) => event.pathParameters?.[name] ?? '';
const listPath = (event: APIGatewayProxyEventV2) => ({
  sponsorId: param(event, 'sponsorId'),
  list: param(event, 'list'),
});
const page = (event: APIGatewayProxyEventV2) => pageQuery.parse(event.queryStringParameters ?? {});
const isCsv = (event: APIGatewayProxyEventV2) => /^text\/csv\b/i.test(event.headers?.['content-type'] ?? '');
const importRequest = (event: APIGatewayProxyEventV2) =>
  isCsv(event)
    ? importRequestFromCsv(text(event, 'CSV'), event.queryStringParameters)
    : importEnrollmentsRequest.parse(body(event));

const query = (event: APIGatewayProxyEventV2) => event.queryStringParameters ?? {};

const routes: Record<string, Route> = {
  [routeKey(healthRoute)]: async () => {
    const self = { id: httpApiFunction.id, sha256: ownBundleSha256() };
    const report = await checkHealth({ dynamodb: dynamodbClient, sqs: sqsClient, self });
    return json(report.status === 'ok' ? 200 : 503, report);
  },
  [routeKey(openApiRoute)]: async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: openApiDocumentText(),
  }),
  [routeKey(apiRoutes.createSponsor)]: async (e) =>
    json(201, await createSponsor(services, principalOf(e), createSponsorBody.parse(body(e)))),
  [routeKey(apiRoutes.draftCommitment)]: async (e) =>
    json(201, await draftCommitment(services, principalOf(e), draftCommitmentBody.parse(body(e)))),
  [routeKey(apiRoutes.approveCommitment)]: async (e) =>
    json(200, await approveCommitment(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.rejectCommitment)]: async (e) =>
    json(200, await rejectCommitment(services, principalOf(e), param(e, 'id'), rejectBody.parse(body(e)))),
  [routeKey(apiRoutes.withdrawCommitment)]: async (e) =>
    json(200, await withdrawCommitment(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.listSponsorCommitments)]: async (e) => {
    const { status } = sponsorCommitmentsQuery.parse(query(e));
    return json(200, await listSponsorCommitments(services, principalOf(e), param(e, 'id'), status));
  },
  [routeKey(apiRoutes.regionChildren)]: async (e) =>
    json(200, regionChildren(principalOf(e), param(e, 'code'))),
  [routeKey(apiRoutes.getCommitment)]: async (e) =>
    json(200, await getCommitment(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.listAllocations)]: async (e) => {
    const { limit, pageToken } = page(e);
    return json(200, await listAllocations(services, principalOf(e), param(e, 'id'), limit, pageToken));
  },
  [routeKey(apiRoutes.proposeReallocation)]: async (e) =>
    json(
      201,
      await proposeReallocation(
        services,
        principalOf(e),
        param(e, 'id'),
        proposeReallocationBody.parse(body(e)),
      ),
    ),
  [routeKey(apiRoutes.approveReallocation)]: async (e) =>
    json(
      200,
      await approveReallocation(services, principalOf(e), param(e, 'id'), param(e, 'reallocationId')),
    ),
  [routeKey(apiRoutes.rejectReallocation)]: async (e) =>
    json(
      200,
      await rejectReallocation(
        services,
        principalOf(e),
        param(e, 'id'),
        param(e, 'reallocationId'),
        rejectBody.parse(body(e)),
      ),
    ),
  [routeKey(apiRoutes.withdrawReallocation)]: async (e) =>
    json(
      200,
      await withdrawReallocation(services, principalOf(e), param(e, 'id'), param(e, 'reallocationId')),
    ),
  [routeKey(apiRoutes.listReallocations)]: async (e) => {
    const { limit, pageToken } = page(e);
    return json(200, await listReallocations(services, principalOf(e), param(e, 'id'), limit, pageToken));
  },
  [routeKey(apiRoutes.enroll)]: (e) =>
    answeredOnce(idempotencyOptions, e, async (record) => {
      const companion = record && {
        name: IDEMPOTENCY_RECORD_ACTION,
        action: (made: object) => record(json(201, made)),
      };
      return json(
        201,
        await enroll(services, principalOf(e), param(e, 'code'), enrollBody.parse(body(e)), companion),
      );
    }),
  [routeKey(apiRoutes.fundingOptions)]: async (e) =>
    json(
      200,
      await fundingOptions(services, principalOf(e), param(e, 'code'), fundingOptionsBody.parse(body(e))),
    ),
  [routeKey(apiRoutes.importEnrollments)]: async (e) => {
    const job = await createImport(
      services,
      principalOf(e),
      param(e, 'code'),
      importRequest(e),
      e.headers?.[SCOPED_IDEMPOTENCY_HEADER],
    );
    return json(202, job, { location: importJobPath(job.id) });
  },
  [routeKey(apiRoutes.getImport)]: async (e) =>
    json(200, await getImport(services, principalOf(e), param(e, 'id'), importResultsQuery.parse(query(e)))),
  [routeKey(apiRoutes.listVillageEnrollments)]: async (e) => {
    const { limit, pageToken, commitmentId } = villageEnrollmentsQuery.parse(e.queryStringParameters ?? {});
    return json(
      200,
      await listVillageEnrollments(
        services,
        principalOf(e),
        param(e, 'code'),
        limit,
        pageToken,
        commitmentId,
      ),
    );
  },
  [routeKey(apiRoutes.terminateEnrollment)]: async (e) =>
    json(
      200,
      await terminateEnrollment(services, principalOf(e), param(e, 'id'), terminateBody.parse(body(e))),
    ),
  [routeKey(apiRoutes.listInvoices)]: async (e) =>
    json(
      200,
      await listInvoices(services, principalOf(e), invoiceQuery.parse(e.queryStringParameters ?? {})),
    ),
  [routeKey(apiRoutes.getInvoice)]: async (e) =>
    json(200, await getInvoice(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.rollPeriod)]: async (e) =>
    json(202, await rollPeriodNow(services, principalOf(e), param(e, 'period'))),
  [routeKey(apiRoutes.stuckOperations)]: async (e) =>
    json(200, await stuckReport(operations, principalOf(e), stuckQuery.parse(query(e)))),
  [routeKey(apiRoutes.redriveDeadLetters)]: async (e) =>
    json(200, await redriveDeadLetters(operations, principalOf(e), redriveBody.parse(e.body ? body(e) : {}))),
  [routeKey(apiRoutes.coverageReport)]: async (e) =>
    json(200, await coverageReport(services, principalOf(e), coverageQuery.parse(query(e)))),
  [routeKey(apiRoutes.budgetReport)]: async (e) =>
    json(200, await budgetReport(services, principalOf(e), budgetQuery.parse(query(e)))),
  [routeKey(apiRoutes.reportWorkers)]: async (e) =>
    json(200, await reportWorkers(services, principalOf(e), reportWorkersQuery.parse(query(e)))),
  [routeKey(apiRoutes.createPartner)]: async (e) =>
    json(201, await createPartner(services, principalOf(e), createPartnerBody.parse(body(e)))),
  [routeKey(apiRoutes.listPartners)]: async (e) =>
    json(
      200,
      await listPartners(services, principalOf(e), partnersQuery.parse(e.queryStringParameters ?? {})),
    ),
  [routeKey(apiRoutes.getPartner)]: async (e) =>
    json(200, await getPartner(services, principalOf(e), param(e, 'partnerId'))),
  [routeKey(apiRoutes.recordDeposits)]: async (e) =>
    json(201, await recordDeposits(services, principalOf(e), param(e, 'partnerId'), parseDeposits(body(e)))),
  [routeKey(apiRoutes.lookupBalance)]: async (e) => {
    const { nik } = balanceLookupBody.parse(body(e));
    return json(200, await lookupBalance(services, principalOf(e), param(e, 'partnerId'), nik));
  },
  [routeKey(apiRoutes.refund)]: async (e) =>
    json(201, await refund(services, principalOf(e), param(e, 'partnerId'), refundBody.parse(body(e)))),
  [routeKey(apiRoutes.partnerStatement)]: async (e) =>
    json(200, await partnerStatement(services, principalOf(e), param(e, 'partnerId'), param(e, 'period'))),
  [routeKey(apiRoutes.registerContributor)]: async (e) =>
    json(
      201,
      await registerContributor(
        services,
        principalOf(e),
        param(e, 'partnerId'),
        registerContributorBody.parse(body(e)),
      ),
    ),
  [routeKey(apiRoutes.lookupContributor)]: async (e) => {
    const { nik } = balanceLookupBody.parse(body(e));
    return json(200, await lookupContributor(services, principalOf(e), param(e, 'partnerId'), nik));
  },
  [routeKey(apiRoutes.getRemittance)]: async (e) =>
    json(200, await getRemittance(services, principalOf(e), param(e, 'partnerId'), param(e, 'period'))),
  [routeKey(apiRoutes.setTarget)]: async (e) =>
    json(
      200,
      await setTarget(
        services,
        principalOf(e),
        targetParams.parse(e.pathParameters ?? {}),
        setTargetBody.parse(body(e)),
      ),
    ),
  [routeKey(apiRoutes.getTarget)]: async (e) =>
    json(200, await getTarget(services, principalOf(e), targetParams.parse(e.pathParameters ?? {}))),
  [routeKey(apiRoutes.planReport)]: async (e) =>
    json(200, await planReport(services, principalOf(e), planQuery.parse(query(e)))),
  [routeKey(apiRoutes.createIncentive)]: async (e) =>
    json(201, await createIncentive(services, principalOf(e), createIncentiveBody.parse(body(e)))),
  [routeKey(apiRoutes.listSponsorIncentives)]: async (e) =>
    json(200, await listSponsorIncentives(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.getIncentive)]: async (e) =>
    json(200, await getIncentive(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.evaluateIncentive)]: async (e) =>
    json(200, await evaluateIncentive(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.addListMembers)]: async (e) =>
    json(200, await addListMembers(services, principalOf(e), listPath(e), listMembersBody.parse(body(e)))),
  [routeKey(apiRoutes.removeListMembers)]: async (e) =>
    json(200, await removeListMembers(services, principalOf(e), listPath(e), listMembersBody.parse(body(e)))),
  [routeKey(apiRoutes.getList)]: async (e) => json(200, await getList(services, principalOf(e), listPath(e))),
};

const dispatch = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const route = routes[event.routeKey];
  if (!route) return problem({ status: 404, code: 'not-found', title: 'No such route' });
  return route(event);
};

// The enrollment keeps its key's record inside its own transaction (one request instead of four); the other
// POSTs are idempotent through Powertools' middleware. One persistence layer and config, so the records agree.
const idempotency = exactlyOncePerKey(idempotencyOptions, [routeKey(apiRoutes.enroll)]);

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(problemDetails(logger))
  .use(injectLambdaContext(logger))
  .use(nikHashKey())
  .use(httpHeaderNormalizer())
  .use(acceptedBodies({ otherMediaTypes: { [routeKey(apiRoutes.importEnrollments)]: ['text/csv'] } }))
  .use(scopeIdempotencyKey())
  .use(idempotency)
  .handler(dispatch);
