/// <reference lib="dom" />
/**
 * The dashboard's calls to the HTTP API, through the client generated from the OpenAPI document
 * (`@lindung/api-client`: openapi-fetch over the openapi-typescript types). Paths, parameters, bodies and
 * answers are the contract's, so a change of the contract breaks the dashboard at the type check, not in a
 * browser. Every call carries the session's token, every POST an `Idempotency-Key`, and an error answer
 * becomes an `ApiFailure` holding its problem document (RFC 9457).
 */
import { createLindungApi, type LindungApi, type operations, type Problem } from '@lindung/api-client';
import type { Session } from './session.js';

export type { LindungApi, Schemas } from '@lindung/api-client';

/** The JSON body of an operation's request, e.g. `Body<'draftCommitment'>`. */
export type Body<Operation extends keyof operations> = operations[Operation] extends {
  requestBody: { content: { 'application/json': infer Json } };
}
  ? Json
  : never;

/** An `application/problem+json` answer of the API (the contract's `Problem`; only status and code are sure). */
export type ProblemDocument = Pick<Problem, 'status' | 'code'> &
  Partial<Pick<Problem, 'title' | 'detail' | 'details' | 'errors'>>;

/** An answer other than 2xx, with its problem document. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(readonly problem: ProblemDocument) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** A fresh key for one form submission: a retry or a double click of that submission sends the same key. */
export const idempotencyKey = (): string => crypto.randomUUID();

const clients = new Map<string, LindungApi>();

/** The typed client of a session (or a bare token), served from the dashboard's own origin. */
export const apiOf = (session: Session | string): LindungApi => {
  const token = typeof session === 'string' ? session : session.token;
  let api = clients.get(token);
  if (!api) {
    api = createLindungApi({ baseUrl: location.origin, token });
    clients.set(token, api);
  }
  return api;
};

/** What a call of the generated client resolves to. */
export interface ApiResult<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

const problemOf = (status: number, error: unknown): ProblemDocument => {
  const body = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return {
    status,
    code: typeof body.code === 'string' ? body.code : `http-${status}`,
    ...(typeof body.title === 'string' && { title: body.title }),
    ...(typeof body.detail === 'string' && { detail: body.detail }),
    ...(typeof body.details === 'object' &&
      body.details !== null && { details: body.details as Record<string, unknown> }),
    ...(Array.isArray(body.errors) && { errors: body.errors as NonNullable<Problem['errors']> }),
  };
};

/** The data of a call of the generated client, or the `ApiFailure` of its problem document. */
export const send = async <T>(call: Promise<ApiResult<T>>): Promise<T> => {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiFailure(problemOf(response.status, error));
  return data as T;
};

/** The header of a POST made under an idempotency key. */
export const keyed = (key: string) => ({ 'Idempotency-Key': key });
