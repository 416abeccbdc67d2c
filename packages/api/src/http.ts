import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/** A JSON response in API Gateway's v2 result shape. */
export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}) =>
  ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  }) satisfies APIGatewayProxyResultV2;

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

/** An RFC 9457 `application/problem+json` response carrying Lindung's stable error `code` (and e.g. `retry-after`). */
export const problem = (p: Problem, headers: Record<string, string> = {}) =>
  ({
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers },
    body: JSON.stringify({ type: `https://lindung.id/problems/${p.code}`, ...p }),
  }) satisfies APIGatewayProxyResultV2;
