/** Lambda entry point of the HTTP API: API Gateway HTTP API (payload v2) → route → use case. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { checkHealth, healthRoute, json, problem, routeKey } from '@lindung/api';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { dynamodbClient, sqsClient } from '../shared/clients.js';
import { logger } from '../shared/observability.js';

type RouteHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

const routes: Record<string, RouteHandler> = {
  [routeKey(healthRoute)]: async () => {
    const report = await checkHealth({ dynamodb: dynamodbClient, sqs: sqsClient });
    return json(report.status === 'ok' ? 200 : 503, report);
  },
};

const dispatch = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const route = routes[event.routeKey];
  if (!route) return problem({ status: 404, code: 'not-found', title: 'No such route' });
  return route(event);
};

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .use(httpHeaderNormalizer())
  .handler(dispatch);
