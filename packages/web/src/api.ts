/// <reference lib="dom" />
/**
 * A small typed fetch wrapper over the HTTP API: every call carries the session's token, every POST an
 * `Idempotency-Key`, and an error answer becomes an `ApiFailure` holding its problem document (RFC 9457).
 * Kept to one module so the client generated from the OpenAPI document can replace it in one place.
 */
import type { Session } from './session.js';

/** An `application/problem+json` answer of the API. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title?: string;
  readonly detail?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An answer other than 2xx, with its problem document. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** A fresh key for one form submission: a retry or a double click of that submission sends the same key. */
export const idempotencyKey = (): string => crypto.randomUUID();

const tokenOf = (session: Session | string) => (typeof session === 'string' ? session : session.token);

const answer = async <T>(response: Response): Promise<T> => {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) return body as T;
  throw new ApiFailure({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : 'http-error',
    ...(typeof body.title === 'string' && { title: body.title }),
    ...(typeof body.detail === 'string' && { detail: body.detail }),
    ...(typeof body.details === 'object' && body.details !== null
      ? { details: body.details as Record<string, unknown> }
      : {}),
  });
};

/** GET an API path. */
export const apiGet = async <T>(session: Session | string, path: string): Promise<T> =>
  answer<T>(await fetch(path, { headers: { authorization: `Bearer ${tokenOf(session)}` } }));

/** POST JSON (or CSV text) to an API path under an idempotency key. */
export const apiPost = async <T>(
  session: Session | string,
  path: string,
  body: unknown,
  key: string,
  contentType = 'application/json',
): Promise<T> =>
  answer<T>(
    await fetch(path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokenOf(session)}`,
        'content-type': contentType,
        'idempotency-key': key,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
