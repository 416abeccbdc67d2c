/**
 * How `lindung` talks to a running Lindung: JSON over HTTP with a bearer token. An error answer is an RFC 9457
 * problem document, turned into an `ApiProblemError` that carries its stable `code` and `detail`; a Lindung
 * that cannot be reached is a `ConnectionError` that says where it was looked for. Against a local stack the
 * token can be minted on the fly from `POST /local/tokens`, with the role the command needs.
 */
import { createLindungApi, type LindungApi, type Problem } from '@lindung/api-client';
import { retrying } from '@lindung/core';
import type { CliIo } from './command.js';

/** The address `lindung` talks to when neither `--url` nor `LINDUNG_URL` names one (`npm start`). */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** The claims of a token minted by a local stack. */
export interface TokenClaims {
  readonly roles: readonly string[];
  readonly sponsorId?: string;
  readonly villageCodes?: readonly string[];
  readonly partnerId?: string;
  readonly sub?: string;
}

/** One field of a `validation-failed` problem: where, and what is wrong. */
export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

/** An error answer of the API, as its problem document says it. */
export class ApiProblemError extends Error {
  readonly status: number;
  /** The stable machine code, e.g. `quota-exhausted`; `http-<status>` when the answer was no problem document. */
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  /** The fields that failed, from the problem's `errors`. */
  readonly issues: readonly ProblemIssue[];

  constructor(
    status: number,
    problem: Partial<Record<keyof Problem, unknown>>,
    options?: { cause?: unknown },
  ) {
    const code = typeof problem.code === 'string' ? problem.code : `http-${status}`;
    const title = typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
    const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
    const issues = Array.isArray(problem.errors)
      ? problem.errors
          .filter((i): i is ProblemIssue => typeof i?.path === 'string' && typeof i?.message === 'string')
          .map((i) => ({ path: i.path, message: i.message }))
      : [];
    const where = issues
      .slice(0, 5)
      .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
      .join('; ');
    // A zod failure's detail already lists its fields.
    const message = detail ?? title;
    super(`${message}${where && !message.includes(where) ? ` (${where})` : ''}`, options);
    this.name = 'ApiProblemError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.issues = issues;
    if (detail !== undefined) this.detail = detail;
  }
}

/** Lindung could not be reached at all (nothing listening, DNS, a dropped connection). */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    const reason = (options?.cause as { cause?: { code?: string } } | undefined)?.cause?.code;
    super(
      `cannot reach Lindung at ${url}${reason ? ` (${reason})` : ''}: is it running? (\`npm start\`, or pass --url)`,
      options,
    );
    this.name = 'ConnectionError';
  }
}

/** Whether a URL names this machine, where a local stack mints tokens. */
export const isLocalUrl = (url: string): boolean => {
  try {
    const { hostname } = new URL(url);
    return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname);
  } catch {
    return false;
  }
};

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON body. */
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts on a connection failure or a 502/503/504 (default 1: no retry); only for safe requests. */
  readonly attempts?: number;
}

const TRANSIENT_STATUS = new Set([502, 503, 504]);

/** A 502/503/504 answer that another attempt may get past; never leaves `transport`. */
class TransientStatusError extends Error {
  override readonly name = 'TransientStatusError';
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** What a call of the generated client resolves to. */
interface ApiResult<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * The generated client's `request` for a path named at run time (the demo's and benchmarks' calls); the typed
 * calls go through `api`.
 */
type UntypedRequest = (
  method: string,
  path: string,
  init: {
    params: { query?: Record<string, string | number> };
    body?: unknown;
    headers?: Record<string, string>;
    fetch: typeof fetch;
  },
) => Promise<ApiResult<unknown>>;

/**
 * A client of the Lindung HTTP API v1: the client generated from the OpenAPI document (`api`, typed by path),
 * with Lindung's problem documents turned into `ApiProblemError` and retries of safe requests.
 */
export class LindungClient {
  readonly baseUrl: string;
  /** The typed client; pass its calls to `send` for the data or an `ApiProblemError`. */
  readonly api: LindungApi;

  constructor(
    baseUrl: string,
    readonly token: string | undefined,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.api = createLindungApi({ baseUrl: this.baseUrl, token, fetch: this.transport(1) });
  }

  /** A fetch that retries a connection failure or a 502/503/504 `attempts` times, with backoff. */
  transport(attempts: number): typeof fetch {
    return (input, init) =>
      retrying(
        async (attempt) => {
          let response: Response;
          try {
            // A Request's body can be read once: each attempt sends a copy.
            response = await this.fetchImpl(input instanceof Request ? input.clone() : input, init);
          } catch (error) {
            throw new ConnectionError(this.baseUrl, { cause: error });
          }
          // The last attempt's answer is the caller's, whatever its status.
          if (TRANSIENT_STATUS.has(response.status) && attempt < attempts) {
            await response.body?.cancel();
            throw new TransientStatusError(response.status);
          }
          return response;
        },
        {
          attempts,
          retryIf: (error) => error instanceof ConnectionError || error instanceof TransientStatusError,
          minDelayMs: 400,
          maxDelayMs: 3_200,
        },
      );
  }

  /** The data of a call of `api`, or the `ApiProblemError` of its problem document. */
  async send<T>(call: Promise<ApiResult<T>>): Promise<T> {
    const { data, error, response } = await call;
    if (!response.ok) {
      const problem =
        typeof error === 'object' && error !== null
          ? error
          : { detail: typeof error === 'string' && error ? error.slice(0, 200) : undefined };
      throw new ApiProblemError(response.status, problem as Record<string, unknown>);
    }
    return data as T;
  }

  /** Sends a request to a path named at run time; resolves to the parsed JSON answer, or throws. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const query = Object.fromEntries(
      Object.entries(options.query ?? {}).filter(
        (entry): entry is [string, string | number] => entry[1] !== undefined,
      ),
    );
    const request = this.api.request as unknown as UntypedRequest;
    return this.send(
      request(method.toLowerCase(), path, {
        params: { query },
        ...(options.json !== undefined && { body: options.json }),
        ...(options.headers && { headers: { ...options.headers } }),
        fetch: this.transport(Math.max(1, options.attempts ?? 1)),
      }) as Promise<ApiResult<T>>,
    );
  }

  get<T>(path: string, options: Omit<RequestOptions, 'json'> = {}): Promise<T> {
    return this.request<T>('GET', path, { attempts: 3, ...options });
  }

  post<T>(path: string, json: unknown, options: Omit<RequestOptions, 'json'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, json });
  }
}

/** Asks a local stack for a token with these claims. */
export const mintLocalToken = async (
  baseUrl: string,
  claims: TokenClaims,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<string> => {
  const client = new LindungClient(baseUrl, undefined, fetchImpl);
  try {
    const { token } = await client.post<{ token: string }>('/local/tokens', claims);
    return token;
  } catch (error) {
    if (error instanceof ApiProblemError && error.status === 404) {
      throw new ApiProblemError(404, {
        code: 'not-found',
        title: 'No local token issuer',
        detail: `${baseUrl} does not mint local tokens (it is not a local stack): pass --token`,
      });
    }
    throw error;
  }
};

/** The `--url` and `--token` options every networked subcommand takes. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
} as const;

export const CONNECTION_USAGE = `Connection:
  --url <url>                a running Lindung (default: $LINDUNG_URL, else ${DEFAULT_URL})
  --token <jwt>              a bearer token (default: $LINDUNG_TOKEN; against a local stack one is
                             minted with the role this command needs)`;

/**
 * A client for the command's `--url` and `--token`. Without a token, one is minted from a local stack with
 * `claims`; a remote Lindung needs `--token`.
 */
export const connect = async (
  values: { readonly url?: string | undefined; readonly token?: string | undefined },
  claims: TokenClaims | (() => TokenClaims),
  io: CliIo,
): Promise<LindungClient> => {
  const env = io.env ?? process.env;
  const url = values.url ?? env.LINDUNG_URL ?? DEFAULT_URL;
  const fetchImpl = io.fetch ?? globalThis.fetch;
  const given = values.token ?? env.LINDUNG_TOKEN;
  if (given) return new LindungClient(url, given, fetchImpl);
  if (!isLocalUrl(url)) {
    throw new ApiProblemError(401, {
      code: 'unauthenticated',
      title: 'A token is needed',
      detail: `${url} is not a local stack: pass --token (or set LINDUNG_TOKEN)`,
    });
  }
  const token = await mintLocalToken(url, typeof claims === 'function' ? claims() : claims, fetchImpl);
  return new LindungClient(url, token, fetchImpl);
};
