import { apiRoutes, openApiDocument, routeDefinitions } from '@lindung/api';
import { describe, expect, it } from 'vitest';

type Operation = {
  operationId: string;
  parameters: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
};

const operationOf = (route: { path: string; method: string }) => {
  const paths = openApiDocument('test').paths as Record<string, Record<string, Operation>>;
  return paths[route.path]?.[route.method.toLowerCase()];
};

describe('the OpenAPI document', () => {
  it('describes every route', () => {
    // Act
    const missing = routeDefinitions.filter((route) => operationOf(route)?.operationId !== route.operationId);

    // Assess
    expect(missing).toEqual([]);
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
    expect(operation?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:code', 'query:commitmentId', 'header:Idempotency-Key']),
    );
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
