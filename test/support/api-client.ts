/**
 * The HTTP client of the e2e tests: the generated, typed client of the API (@lindung/api-client) with tokens
 * from the local stack. Every answer is checked against the OpenAPI document (contract.ts) before a test
 * sees it, so an answer off the contract fails the test that received it.
 */
import { matchRoute, routeDefinitions } from '@lindung/api';
import { createLindungApi } from '@lindung/api-client';
import { checkAnswer } from './contract.js';
import type { ProvidedLocalStack } from './global-local-stack.js';

/** A response: status, content type and parsed JSON body (tests read fields they assert on). */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
}

/** A request as sent on the wire: any method, a raw body (e.g. CSV or broken JSON) and headers. */
export interface RawRequest {
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface Caller {
  /** The bearer token, or `undefined` for an anonymous caller. */
  readonly token: string | undefined;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  get(path: string): Promise<Answer>;
  send(method: string, path: string, request?: RawRequest): Promise<Answer>;
}

/**
 * The typed client's `request`, called with a concrete path turned back into its template and parameters:
 * tests name paths as strings, so the compile-time path types cannot apply here; the contract check does.
 */
type UntypedRequest = (
  method: string,
  path: string,
  init: {
    params: { path?: Record<string, string>; query?: Record<string, string> };
    body?: string;
    bodySerializer: (body: string) => string;
    headers: Record<string, string>;
    parseAs: 'stream';
  },
) => Promise<{ response: Response; error?: unknown }>;

const callerWith = (stack: ProvidedLocalStack, token: string | undefined): Caller => {
  const api = createLindungApi({ baseUrl: stack.httpUrl, token });
  const request = api.request as unknown as UntypedRequest;
  const send = async (method: string, path: string, { body, headers = {} }: RawRequest = {}) => {
    const url = new URL(path, stack.httpUrl);
    const match = matchRoute(routeDefinitions, method, url.pathname);
    const { response, error } = await request(method.toLowerCase(), match?.route.path ?? url.pathname, {
      params: {
        ...(match && { path: match.pathParameters }),
        ...(url.search && { query: Object.fromEntries(url.searchParams) }),
      },
      ...(body !== undefined && { body }),
      bodySerializer: (raw) => raw,
      headers: { 'content-type': 'application/json', ...headers },
      parseAs: 'stream',
    });
    // The client has read an error answer's body already: it gives it parsed (or as text if not JSON).
    const text = response.ok ? await response.text() : undefined;
    const contentType = response.headers.get('content-type') ?? '';
    const parsed = response.ok ? (text ? JSON.parse(text) : undefined) : error === '' ? undefined : error;
    checkAnswer({ method, path, status: response.status, contentType, body: parsed });
    return { status: response.status, contentType, headers: response.headers, body: parsed } as Answer;
  };
  return {
    token,
    post: (path, body, headers) =>
      send('POST', path, {
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(headers && { headers }),
      }),
    get: (path) => send('GET', path),
    send,
  };
};

/** A caller signed in with a token the local stack mints for these claims. */
export const caller = async (
  stack: ProvidedLocalStack,
  claims: {
    roles: string[];
    sponsorId?: string;
    villageCodes?: string[];
    partnerId?: string;
    regionCodes?: string[];
    sub?: string;
  },
): Promise<Caller> => {
  const minted = await fetch(`${stack.httpUrl}/local/tokens`, {
    method: 'POST',
    body: JSON.stringify(claims),
  });
  const { token } = (await minted.json()) as { token: string };
  return callerWith(stack, token);
};

/** A caller without a token. */
export const anonymous = (stack: ProvidedLocalStack): Caller => callerWith(stack, undefined);

/**
 * A syntactically valid NIK of a man born on `day` January 1990, issued in `district` (6 digits), with serial
 * `serial`. Tests share one database and a NIK is covered once a year, so each test file takes its own district.
 */
export const nikIn = (district: string, serial: number, day = 1 + (serial % 28)) =>
  `${district}${String(day).padStart(2, '0')}0190${String(serial % 10_000).padStart(4, '0')}`;

/** A syntactically valid NIK of a Jambi resident (region 15.71.01), born on `day` of 1990, serial `serial`. */
export const jambiNik = (serial: number, day?: number) => nikIn('157101', serial, day);
