/** Lambda entry point of the HTTP API: API Gateway HTTP API (payload v2) → route → use case. */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  apiRoutes,
  approveCommitment,
  checkHealth,
  createSponsor,
  createSponsorBody,
  draftCommitment,
  draftCommitmentBody,
  enroll,
  enrollBody,
  getCommitment,
  healthRoute,
  json,
  listAllocations,
  listVillageEnrollments,
  openApiDocument,
  openApiRoute,
  pageQuery,
  principalOf,
  problem,
  problemDetails,
  routeKey,
  SCOPED_IDEMPOTENCY_HEADER,
  type Services,
  scopeIdempotencyKey,
} from '@lindung/api';
import { ValidationError } from '@lindung/core';
import {
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  idempotencyTable,
  ledgerTable,
  tableNameFromEnv,
} from '@lindung/store';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import packageJson from '../../package.json' with { type: 'json' };
import { dynamodbClient, sqsClient } from '../shared/clients.js';
import { logger } from '../shared/observability.js';

const db = documentClient(dynamodbClient);
const ledgerTableName = tableNameFromEnv(ledgerTable);
const services: Services = {
  commitments: new CommitmentRepository(db, ledgerTableName),
  enrollments: new EnrollmentRepository(db, ledgerTableName),
};

type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

const body = (event: APIGatewayProxyEventV2): unknown => {
  if (!event.body) throw new ValidationError('The request needs a JSON body');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
};
const param = (event: APIGatewayProxyEventV2, name: string) => event.pathParameters?.[name] ?? '';
const page = (event: APIGatewayProxyEventV2) => pageQuery.parse(event.queryStringParameters ?? {});

const routes: Record<string, Route> = {
  [routeKey(healthRoute)]: async () => {
    const report = await checkHealth({ dynamodb: dynamodbClient, sqs: sqsClient });
    return json(report.status === 'ok' ? 200 : 503, report);
  },
  [routeKey(openApiRoute)]: async () => json(200, openApiDocument(packageJson.version)),
  [routeKey(apiRoutes.createSponsor)]: async (e) =>
    json(201, await createSponsor(services, principalOf(e), createSponsorBody.parse(body(e)))),
  [routeKey(apiRoutes.draftCommitment)]: async (e) =>
    json(201, await draftCommitment(services, principalOf(e), draftCommitmentBody.parse(body(e)))),
  [routeKey(apiRoutes.approveCommitment)]: async (e) =>
    json(200, await approveCommitment(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.getCommitment)]: async (e) =>
    json(200, await getCommitment(services, principalOf(e), param(e, 'id'))),
  [routeKey(apiRoutes.listAllocations)]: async (e) => {
    const { limit, pageToken } = page(e);
    return json(200, await listAllocations(services, principalOf(e), param(e, 'id'), limit, pageToken));
  },
  [routeKey(apiRoutes.enroll)]: async (e) =>
    json(201, await enroll(services, principalOf(e), param(e, 'code'), enrollBody.parse(body(e)))),
  [routeKey(apiRoutes.listVillageEnrollments)]: async (e) => {
    const { limit, pageToken } = page(e);
    return json(
      200,
      await listVillageEnrollments(services, principalOf(e), param(e, 'code'), limit, pageToken),
    );
  },
};

const dispatch = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const route = routes[event.routeKey];
  if (!route) return problem({ status: 404, code: 'not-found', title: 'No such route' });
  return route(event);
};

const idempotency = makeHandlerIdempotent({
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: tableNameFromEnv(idempotencyTable),
    awsSdkV3Client: dynamodbClient,
  }),
  config: new IdempotencyConfig({
    eventKeyJmesPath: `headers."${SCOPED_IDEMPOTENCY_HEADER}"`,
    payloadValidationJmesPath: 'body',
    throwOnNoIdempotencyKey: false,
    expiresAfterSeconds: 24 * 60 * 60,
  }),
});

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(problemDetails(logger))
  .use(injectLambdaContext(logger))
  .use(httpHeaderNormalizer())
  .use(scopeIdempotencyKey())
  .use(idempotency)
  .handler(dispatch);
