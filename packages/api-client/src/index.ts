/**
 * The typed client of the Lindung HTTP API v1: the types openapi-typescript generates from the OpenAPI
 * document (`npm run contract`), and an openapi-fetch client over them. Every path, parameter, body and
 * answer is as the document says; the dashboard, the CLI and the tests import their API types from here.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './generated/schema.js';

export type { components, operations, paths };

/** The document's component schemas, e.g. `Schemas['Enrollment']`. */
export type Schemas = components['schemas'];

/** Every error answer: an RFC 9457 problem document with a stable `code`. */
export type Problem = Schemas['Problem'];

/** The JSON body of an operation's answer with this status, e.g. `Answer<'enroll', 201>`. */
export type Answer<
  Operation extends keyof operations,
  Status extends keyof operations[Operation]['responses'],
> = operations[Operation]['responses'][Status] extends { content: infer Content }
  ? Content[keyof Content]
  : never;

/** A client of the Lindung HTTP API. */
export type LindungApi = Client<paths>;

export interface LindungApiOptions {
  /** e.g. `http://127.0.0.1:3000` (`npm start`) or the API Gateway URL. */
  readonly baseUrl: string;
  /** A bearer JWT; none for `/health` and the document. */
  readonly token?: string | undefined;
  readonly fetch?: typeof fetch;
}

/** A typed client: `api.GET('/v1/commitments/{id}', { params: { path: { id } } })`. */
export const createLindungApi = ({ baseUrl, token, fetch }: LindungApiOptions): LindungApi =>
  createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...(fetch && { fetch }),
    headers: {
      accept: 'application/json, application/problem+json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
  });
