/** The OpenAPI 3.1 document, generated from the route table and the zod schemas the handlers validate with. */
import { DOMAIN_ERROR_CODES } from '@lindung/core';
import { z } from 'zod';
import { apiRoutes, type RouteDefinition, routeDefinitions } from './routes.js';
import { createSponsorBody, draftCommitmentBody, enrollBody } from './schemas.js';

const bodies: Partial<Record<RouteDefinition['operationId'], z.ZodType>> = {
  [apiRoutes.createSponsor.operationId]: createSponsorBody,
  [apiRoutes.draftCommitment.operationId]: draftCommitmentBody,
  [apiRoutes.enroll.operationId]: enrollBody,
};

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: [...DOMAIN_ERROR_CODES, 'internal-error'] },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
};

const operation = (route: RouteDefinition) => {
  const body = bodies[route.operationId];
  const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.auth === 'jwt' && { security: [{ bearer: [] }] }),
    parameters: [
      ...parameters,
      ...(route.method === 'POST'
        ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }]
        : []),
    ],
    ...(body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(body, { io: 'input' }) } },
      },
    }),
    responses: {
      '200': { description: 'OK', content: { 'application/json': {} } },
      default: {
        description: 'An error',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    },
  };
};

/** The whole document. */
export const openApiDocument = (version: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeDefinitions) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Lindung API', version, description: 'Sponsored BPJS Ketenagakerjaan premiums' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
};
