/** The OpenAPI 3.1 document, generated from the route table and the zod schemas the handlers validate with. */
import { DOMAIN_ERROR_CODES } from '@lindung/core';
import { z } from 'zod';
import { importResultsQuery } from './enrollment-import.js';
import { budgetQuery, coverageQuery, reportWorkersQuery } from './reports.js';
import { apiRoutes, type RouteDefinition, routeDefinitions } from './routes.js';
import {
  createSponsorBody,
  draftCommitmentBody,
  enrollBody,
  importEnrollmentsBody,
  importQuery,
  MAX_IMPORT_ROWS,
  pageQuery,
  proposeReallocationBody,
  terminateBody,
  villageEnrollmentsQuery,
} from './schemas.js';

const bodies: Partial<Record<RouteDefinition['operationId'], z.ZodType>> = {
  [apiRoutes.createSponsor.operationId]: createSponsorBody,
  [apiRoutes.draftCommitment.operationId]: draftCommitmentBody,
  [apiRoutes.enroll.operationId]: enrollBody,
  [apiRoutes.importEnrollments.operationId]: importEnrollmentsBody,
  [apiRoutes.proposeReallocation.operationId]: proposeReallocationBody,
  [apiRoutes.terminateEnrollment.operationId]: terminateBody,
};

/** Operations that also take their body as CSV text. */
const csvBodies: Partial<Record<RouteDefinition['operationId'], string>> = {
  [apiRoutes.importEnrollments.operationId]:
    `A header naming nik, startPeriod and optionally name, then up to ${MAX_IMPORT_ROWS} lines; the commitment is the commitmentId query parameter`,
};

/** Query parameters, by operation. */
const queries: Partial<Record<RouteDefinition['operationId'], z.ZodObject>> = {
  [apiRoutes.importEnrollments.operationId]: importQuery,
  [apiRoutes.getImport.operationId]: importResultsQuery,
  [apiRoutes.listAllocations.operationId]: pageQuery,
  [apiRoutes.listReallocations.operationId]: pageQuery,
  [apiRoutes.listVillageEnrollments.operationId]: villageEnrollmentsQuery,
  [apiRoutes.coverageReport.operationId]: coverageQuery,
  [apiRoutes.budgetReport.operationId]: budgetQuery,
  [apiRoutes.reportWorkers.operationId]: reportWorkersQuery,
};

const queryParameters = (query: z.ZodObject | undefined) =>
  Object.entries(query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: (({ $schema: _, ...json }) => json)(z.toJSONSchema(schema as z.ZodType, { io: 'input' })),
  }));

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
  const csv = csvBodies[route.operationId];
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
      ...queryParameters(queries[route.operationId]),
      ...(route.method === 'POST'
        ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }]
        : []),
    ],
    ...(body && {
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: z.toJSONSchema(body, { io: 'input' }) },
          ...(csv && { 'text/csv': { schema: { type: 'string', description: csv } } }),
        },
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
