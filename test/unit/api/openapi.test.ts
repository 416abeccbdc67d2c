import { readFile } from 'node:fs/promises';
import { apiRoutes, openApiDocument, routeDefinitions } from '@lindung/api';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_FILE, documentText, TYPES_FILE, typesText } from '../../../scripts/contract.js';

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; enum?: string[] };
type Operation = {
  operationId: string;
  security: unknown[];
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, Answer>;
};
type Answer = { $ref?: string; content?: Record<string, { schema: Schema }> };

const document = JSON.parse(documentText()) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, Answer> };
};

const operationOf = (route: { path: string; method: string }) =>
  document.paths[route.path]?.[route.method.toLowerCase()];

/** An answer of an operation, its `$ref` to the shared problem answers followed. */
const answerOf = (operation: Operation | undefined, status: string) => {
  const answer = operation?.responses[status];
  const shared = answer?.$ref?.replace('#/components/responses/', '');
  return shared ? document.components.responses[shared] : answer;
};

/** The problem codes an operation documents for one status. */
const codesOf = (operation: Operation | undefined, status: string) =>
  answerOf(operation, status)?.content?.['application/problem+json']?.schema.allOf?.[1]?.properties?.code
    ?.enum;

describe('the OpenAPI document', () => {
  it('is the one the API serves, as generated from the route table and the zod schemas', async () => {
    // Act
    const committed = await readFile(DOCUMENT_FILE, 'utf8');

    // Assess: `npm run contract` rewrites it
    expect(committed).toBe(documentText());
    expect(openApiDocument()).toEqual(JSON.parse(committed));
  });

  it('gives the client types that openapi-typescript generates from it', async () => {
    // Act
    const committed = await readFile(TYPES_FILE, 'utf8');

    // Assess: `npm run contract` rewrites them
    expect(committed).toBe(await typesText(documentText()));
  });

  it('passes the Redocly lint with no error and no warning but a public route without a 4xx', async () => {
    // Prepare
    const config = await createConfig({
      extends: ['recommended-strict'],
      rules: { 'operation-4xx-response': 'warn' },
    });

    // Act
    const problems = await lintFromString({ source: documentText(), absoluteRef: 'openapi.json', config });

    // Assess
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.message)).toEqual([]);
    expect(problems.map((p) => p.location[0]?.pointer).sort()).toEqual([
      '#/paths/~1health/get/responses',
      '#/paths/~1v1~1openapi.json/get/responses',
    ]);
  });

  it('describes every route with its real success status and a response schema', () => {
    // Act
    const statuses: Record<string, string> = Object.fromEntries(
      routeDefinitions.map((route) => {
        const operation = operationOf(route);
        const success = Object.keys(operation?.responses ?? {}).find((status) => status.startsWith('2'));
        const schema = success && operation?.responses[success]?.content?.['application/json']?.schema.$ref;
        return [operation?.operationId, `${success} ${schema?.replace('#/components/schemas/', '')}`];
      }),
    );

    // Assess
    expect(Object.keys(statuses)).toEqual(routeDefinitions.map((r) => r.operationId));
    expect(statuses).toMatchObject({
      createSponsor: '201 Sponsor',
      draftCommitment: '201 Commitment',
      getCommitment: '200 CommitmentWithTotals',
      enroll: '201 Enrollment',
      rollPeriod: '202 RollSummary',
      listInvoices: '200 InvoicePage',
    });
    for (const entry of Object.values(statuses)) {
      const name = entry.split(' ')[1] ?? '';
      expect(document.components.schemas, entry).toHaveProperty(name);
    }
  });

  it('documents every problem with its codes, in one problem shape', () => {
    // Act
    const enroll = operationOf(apiRoutes.enroll);

    // Assess
    expect(codesOf(enroll, '401')).toEqual(['unauthenticated']);
    expect(codesOf(enroll, '403')).toEqual(['forbidden']);
    expect(codesOf(enroll, '404')).toEqual(['not-found']);
    expect(codesOf(enroll, '409')).toEqual(
      expect.arrayContaining(['quota-exhausted', 'already-covered', 'idempotency-in-progress']),
    );
    expect(codesOf(enroll, '413')).toEqual(['payload-too-large']);
    expect(codesOf(enroll, '415')).toEqual(['unsupported-media-type']);
    expect(codesOf(enroll, '422')).toEqual(['validation-failed', 'idempotency-key-reused', 'not-eligible']);
    expect(codesOf(enroll, '500')).toEqual(['internal-error']);
    // /health answers 503 with its report, not a problem
    const problemRefs = routeDefinitions.flatMap((route) =>
      Object.keys(operationOf(route)?.responses ?? {})
        .filter((status) => Number(status) >= 400 && `${route.operationId} ${status}` !== 'getHealth 503')
        .map(
          (status) =>
            answerOf(operationOf(route), status)?.content?.['application/problem+json']?.schema.allOf?.[0]
              ?.$ref,
        ),
    );
    expect(new Set(problemRefs)).toEqual(new Set(['#/components/schemas/Problem']));
  });

  it('documents every query parameter of the invoice list, and the Idempotency-Key of every POST', () => {
    // Act
    const invoices = operationOf(apiRoutes.listInvoices);
    const posts = routeDefinitions.filter((route) => route.method === 'POST').map(operationOf);

    // Assess
    expect(invoices?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'query:sponsorId',
      'query:villageCode',
      'query:period',
      'query:status',
      'query:limit',
      'query:pageToken',
    ]);
    expect(posts.length).toBeGreaterThan(5);
    for (const post of posts) {
      expect(post?.parameters.map((p) => `${p.in}:${p.name}`)).toContain('header:Idempotency-Key');
    }
  });

  it('asks for a bearer JWT on every route but /health and the document itself', () => {
    // Act
    const open = routeDefinitions.filter((route) => operationOf(route)?.security.length === 0);

    // Assess
    expect(open.map((route) => route.operationId)).toEqual(['getHealth', 'getOpenApi']);
  });

  it('takes an import as JSON rows or as CSV with the commitment in the query', () => {
    // Act
    const operation = operationOf(apiRoutes.importEnrollments);

    // Assess
    expect(Object.keys(operation?.requestBody?.content ?? {})).toEqual(['application/json', 'text/csv']);
    const json = operation?.requestBody?.content['application/json']?.schema as {
      properties: { rows: { maxItems: number } };
    };
    expect(json.properties.rows.maxItems).toBe(50_000);
    expect(operation?.parameters.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'path:code:true',
      'query:commitmentId:false',
      'header:Idempotency-Key:false',
    ]);
  });

  it('documents the moves of a reallocation and the pages of its list', () => {
    // Act
    const propose = operationOf(apiRoutes.proposeReallocation);
    const list = operationOf(apiRoutes.listReallocations);

    // Assess
    const schema = propose?.requestBody?.content['application/json']?.schema as {
      properties: { moves: { maxItems: number } };
      required: string[];
    };
    expect(schema.required).toEqual(['moves']);
    expect(schema.properties.moves.maxItems).toBe(24);
    expect(list?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'query:limit',
      'query:pageToken',
    ]);
  });
});
