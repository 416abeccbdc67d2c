/**
 * Middy middlewares of the HTTP API. Errors: a domain error becomes its problem document; an invalid body
 * a `validation-failed` one; everything else a generic 500 that leaks nothing (the log has the details).
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { IdempotencyLambdaHandlerOptions } from '@aws-lambda-powertools/idempotency/types';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DOMAIN_ERROR_TITLES,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  isDomainError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@lindung/core';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { $ZodError, type $ZodIssue } from 'zod/v4/core';
import { problem } from './http.js';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2>;
type HttpRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2>;

/** The header clients send, and the caller-scoped key the idempotency layer uses. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const SCOPED_IDEMPOTENCY_HEADER = 'x-lindung-idempotency-key';

/** An issue's message; for a refused record key (e.g. a village code), the reason the key was refused. */
const issueMessage = (issue: $ZodIssue): string =>
  issue.code === 'invalid_key' && issue.issues[0]
    ? `${issue.message}: ${issue.issues[0].message}`
    : issue.message;

/** Maps every error to `application/problem+json`; register it first so that it runs last. */
export const problemDetails = (logger: Logger): HttpMiddleware => ({
  onError: async (request) => {
    const error = request.error;
    const instance = request.event.requestContext?.requestId;
    if (isDomainError(error)) {
      // A validation error's issues are the problem's `errors`, as a zod failure's are.
      const { issues: _issues, ...details } = error.details;
      const retryAfter = error instanceof IdempotencyInProgressError ? error.retryAfterSeconds : undefined;
      request.response = problem(
        {
          status: error.httpStatus,
          code: error.code,
          title: error.title,
          detail: error.message,
          ...(instance && { instance }),
          ...(error instanceof ValidationError && { errors: error.issues }),
          ...(Object.keys(details).length > 0 && { details }),
        },
        retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
      );
    } else if (error instanceof $ZodError) {
      const errors = error.issues.map((i) => ({ path: i.path.join('.'), message: issueMessage(i) }));
      request.response = problem({
        status: 422,
        code: 'validation-failed',
        title: DOMAIN_ERROR_TITLES['validation-failed'],
        detail: errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '),
        ...(instance && { instance }),
        errors,
      });
    } else {
      logger.error('unhandled error', { error: error as Error });
      request.response = problem({ status: 500, code: 'internal-error', title: 'Internal Server Error' });
    }
  },
});

/**
 * Scopes a POST's `Idempotency-Key` to its caller, so that two users' keys never collide; requests without
 * the header (and reads) are not idempotency-tracked.
 */
export const scopeIdempotencyKey = (): HttpMiddleware => ({
  before: async (request) => {
    const { event } = request;
    const headers = event.headers ?? {};
    delete headers[SCOPED_IDEMPOTENCY_HEADER];
    const key = headers[IDEMPOTENCY_HEADER];
    const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
      .authorizer?.jwt?.claims;
    if (event.requestContext.http.method === 'POST' && key && typeof claims?.sub === 'string') {
      headers[SCOPED_IDEMPOTENCY_HEADER] = `${claims.sub}:${event.routeKey}:${key}`;
    }
    event.headers = headers;
  },
});

/** Seconds a client waits before retrying a key whose first request still runs (the `Retry-After` header). */
export const IDEMPOTENCY_RETRY_AFTER_SECONDS = 1;

/** Powertools' refusals of a request, as the domain errors the problem mapping turns into 409 and 422. */
export const idempotencyRefusal = (error: unknown): Error | undefined => {
  if (error instanceof IdempotencyValidationError)
    return new IdempotencyKeyReusedError(undefined, { cause: error });
  // An inconsistent state that outlived Powertools' own retries is a record another invocation is changing.
  if (
    error instanceof IdempotencyAlreadyInProgressError ||
    error instanceof IdempotencyInconsistentStateError
  ) {
    return new IdempotencyInProgressError(undefined, {
      cause: error,
      retryAfterSeconds: IDEMPOTENCY_RETRY_AFTER_SECONDS,
    });
  }
  return undefined;
};

/**
 * Exactly once per idempotency key (I6): Powertools' `makeHandlerIdempotent`, except that its `onError` deletes
 * the record only when this invocation saved it as in progress and has not finished.
 *
 * WORKAROUND for aws-powertools/powertools-lambda-typescript#5675, present up to 2.35.0: the middleware's
 * `onError` also runs when its own `before` refused the request (another invocation holds the key, or the key
 * came with another body) and then deleted that other invocation's record, so the next retry executed the
 * handler a second time. Fixed upstream by PR #5676, after 2.35.0. Once a release with #5676 is served, use
 * `makeHandlerIdempotent(options)` directly and keep only the error translation below.
 *
 * Routes in `answeredInTransaction` (route keys) keep their key's record themselves, inside their own transaction
 * (idempotency-in-transaction.ts): this middleware leaves them alone.
 */
export const exactlyOncePerKey = (
  options: IdempotencyLambdaHandlerOptions,
  answeredInTransaction: readonly string[] = [],
): HttpMiddleware => {
  const powertools = makeHandlerIdempotent(options);
  const bypassed = new Set(answeredInTransaction);
  // Requests whose in-progress record this invocation saved (a request is one invocation's own object).
  const owned = new WeakSet<HttpRequest>();
  // Requests of the routes left alone: Powertools never saw them, so its `after` must not run either.
  const leftAlone = new WeakSet<HttpRequest>();
  return {
    before: async (request) => {
      owned.delete(request);
      leftAlone.delete(request);
      if (bypassed.has(request.event.routeKey)) {
        leftAlone.add(request);
        return undefined;
      }
      // Powertools returns the stored answer on a replay and `undefined` when it saved a new in-progress record
      // (or skipped a request without a key, for which its own `onError` does nothing).
      const replay = await powertools.before?.(request);
      if (replay !== undefined) return replay as APIGatewayProxyResultV2;
      owned.add(request);
      return undefined;
    },
    after: async (request) => {
      if (leftAlone.has(request)) return;
      // Released before saving, as upstream does: a failed save must not delete the record of a finished run.
      owned.delete(request);
      await powertools.after?.(request);
    },
    onError: async (request) => {
      const refusal = idempotencyRefusal(request.error);
      if (refusal) request.error = refusal;
      if (!owned.has(request)) return;
      owned.delete(request);
      await powertools.onError?.(request);
    },
  };
};

/** The largest body the API reads: under Lambda's 6 MB invocation payload with the event around it. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The media type of a `Content-Type` header, without parameters, lowercased: `text/csv; charset=utf-8` → `text/csv`. */
const mediaTypeOf = (header: string): string => (header.split(';')[0] ?? '').trim().toLowerCase();

/** `application/json` or a structured `+json` type such as `application/merge-patch+json`. */
const isJson = (mediaType: string): boolean => /^application\/(?:[\w.-]+\+)?json$/.test(mediaType);

export interface BodyLimits {
  /** Bytes a body may have; larger ones get 413 `payload-too-large`. */
  readonly maxBytes?: number;
  /** Media types a route reads besides JSON, by `routeKey` (e.g. `text/csv` for an import). */
  readonly otherMediaTypes?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Refuses, before anything else reads it, a body over the limit (413 `payload-too-large`) and a body of a
 * media type the route does not read (415 `unsupported-media-type`): JSON routes read JSON only.
 */
export const acceptedBodies = ({
  maxBytes = MAX_BODY_BYTES,
  otherMediaTypes = {},
}: BodyLimits = {}): HttpMiddleware => ({
  before: async (request) => {
    const { event } = request;
    if (!event.body) return;
    const bytes = Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    if (bytes > maxBytes) {
      throw new PayloadTooLargeError(`The body has ${bytes} bytes; this route accepts at most ${maxBytes}`, {
        details: { maxBytes },
      });
    }
    const mediaType = mediaTypeOf(event.headers?.['content-type'] ?? '');
    const others = otherMediaTypes[event.routeKey] ?? [];
    if (isJson(mediaType) || others.includes(mediaType)) return;
    throw new UnsupportedMediaTypeError(
      mediaType
        ? `This route does not read ${mediaType}`
        : 'The body has no Content-Type; send application/json',
      { details: { accepted: ['application/json', ...others] } },
    );
  },
});
