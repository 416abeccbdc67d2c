/**
 * Builds the OpenAPI 3.1 document from the route table, the operation contracts and their zod schemas. Run at
 * build time (`npm run contract`), never in the Lambda: the function serves the generated JSON
 * (openapi-document.ts), and a unit test fails when that JSON is not what this builder makes.
 */
import * as z from 'zod';
import {
  AUTHENTICATED_PROBLEMS,
  BODY_PROBLEMS,
  type OperationContract,
  operationContracts,
  POST_PROBLEMS,
  PROBLEM_STATUS,
} from './contract.js';
import { problemDocument, responseSchemas } from './responses.js';
import { type RouteDefinition, routeDefinitions } from './routes.js';

type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/** zod's bounds of every integer, which say nothing a JSON integer does not. */
const isSafeIntegerBound = (key: string, value: unknown) =>
  (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) ||
  (key === 'maximum' && value === Number.MAX_SAFE_INTEGER);

const withoutSafeIntegerBounds = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !isSafeIntegerBound(key, inner))
      .map(([key, inner]) => [key, withoutSafeIntegerBounds(inner)]),
  );
};

/** A schema as it sits inside the document: no `$schema` of its own, no `$id`, no safe-integer bounds. */
const embedded = ({ $schema: _schema, $id: _id, ...json }: JsonSchema): JsonSchema =>
  withoutSafeIntegerBounds(json) as JsonSchema;

const requestSchema = (schema: z.core.$ZodType): JsonSchema =>
  embedded(z.toJSONSchema(schema, { io: 'input' }));

/** The `$ref` of a schema registered in `responses.ts`. */
const ref = (schema: z.ZodType): JsonSchema => {
  const id = responseSchemas.get(schema)?.id;
  if (!id) throw new Error('A response schema must be registered in responses.ts');
  return { $ref: `${COMPONENT_PREFIX}${id}` };
};

const contractOf = (route: RouteDefinition): OperationContract => {
  const contract = (operationContracts as Record<string, OperationContract>)[route.operationId];
  if (!contract) throw new Error(`No contract for ${route.operationId}: add it to contract.ts`);
  return contract;
};

/** The problem codes an operation may answer, grouped by HTTP status. */
export const problemCodesOf = (route: RouteDefinition): Map<number, string[]> => {
  const codes = new Set([
    ...(route.auth === 'jwt' ? AUTHENTICATED_PROBLEMS : ['internal-error']),
    ...(route.method === 'POST' ? POST_PROBLEMS : []),
    ...(route.method === 'PUT' || route.method === 'PATCH' ? BODY_PROBLEMS : []),
    ...(contractOf(route).problems ?? []),
  ]);
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const status = PROBLEM_STATUS[code];
    if (status === undefined) throw new Error(`${route.operationId}: no status for problem code ${code}`);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
};

const parameters = (route: RouteDefinition, contract: OperationContract) => [
  ...[...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  })),
  ...Object.entries(contract.query?._zod.def.shape ?? {}).map(([name, schema]) => {
    const json = requestSchema(schema);
    const { description, ...rest } = json;
    return {
      name,
      in: 'query',
      required: !z.safeParse(schema, undefined).success,
      ...(typeof description === 'string' && { description }),
      schema: rest,
    };
  }),
  ...(route.method === 'POST'
    ? [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes a retry safe: the same key and body within 24 hours gets the first answer again, without doing it twice',
          schema: { type: 'string', minLength: 1, maxLength: 256 },
        },
      ]
    : []),
];

const requestBody = (contract: OperationContract) =>
  contract.body && {
    requestBody: {
      required: !contract.bodyOptional,
      content: {
        'application/json': { schema: requestSchema(contract.body) },
        ...(contract.csv && { 'text/csv': { schema: { type: 'string', description: contract.csv } } }),
      },
    },
  };

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  401: 'Unauthenticated: no valid bearer token',
  403: 'Forbidden in this scope',
  404: 'Not found, or not the caller’s to see',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'The body’s content type is not accepted',
  422: 'The request is not valid',
  500: 'Internal error (nothing of it leaks)',
  503: 'A dependency is unavailable',
};

const problemResponse = (status: number, codes: readonly string[]) => ({
  description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.join(', ')}`,
  ...(codes.includes('idempotency-in-progress') && {
    headers: {
      'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
    },
  }),
  content: {
    'application/problem+json': {
      schema: { allOf: [ref(problemDocument), { properties: { code: { enum: codes } } }] },
    },
  },
});

/** The problem answers operations share, by their codes (`components.responses`), filled as paths are built. */
let problemResponses: Record<string, unknown> = {};

const responses = (route: RouteDefinition, contract: OperationContract) => {
  const answers: Record<string, unknown> = {
    [contract.status]: {
      description: STATUS_TEXT[contract.status],
      content: { 'application/json': { schema: ref(contract.response) } },
    },
  };
  for (const [status, schema] of Object.entries(contract.also ?? {})) {
    answers[status] = {
      description: STATUS_TEXT[Number(status)] ?? 'Other',
      content: { 'application/json': { schema: ref(schema) } },
    };
  }
  for (const [status, codes] of problemCodesOf(route)) {
    const name = codes.join('-or-');
    problemResponses[name] = problemResponse(status, codes);
    answers[status] = { $ref: `#/components/responses/${name}` };
  }
  return answers;
};

const operation = (route: RouteDefinition) => {
  const contract = contractOf(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    security: route.auth === 'jwt' ? [{ bearer: [] }] : [],
    parameters: parameters(route, contract),
    ...requestBody(contract),
    responses: responses(route, contract),
  };
};

/** The response schemas, as `components.schemas`. */
const componentSchemas = (): Record<string, JsonSchema> => {
  const { schemas } = z.toJSONSchema(responseSchemas, {
    io: 'output',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, schema]) => [name, embedded(schema)]),
  );
};

/** The whole document. */
export const buildOpenApiDocument = (version: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  problemResponses = {};
  for (const route of routeDefinitions) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lindung API',
      version,
      description:
        'Sponsored BPJS Ketenagakerjaan premiums. Money is integer rupiah, periods are YYYY-MM; every error is an RFC 9457 problem document with a stable `code`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      responses: Object.fromEntries(Object.entries(problemResponses).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Claims: sub, roles, and sponsorId or villageCodes as scope (Cognito: cognito:groups, custom:*)',
        },
      },
    },
  };
};

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
