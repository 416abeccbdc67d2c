/**
 * Middy middlewares of the HTTP API. Errors: a domain error becomes its problem document; an invalid body
 * a `validation-failed` one; everything else a generic 500 that leaks nothing (the log has the details).
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DOMAIN_ERROR_TITLES, isDomainError, ValidationError } from '@lindung/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import { problem } from './http.js';

/** The header clients send, and the caller-scoped key the idempotency layer uses. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const SCOPED_IDEMPOTENCY_HEADER = 'x-lindung-idempotency-key';

/** Maps every error to `application/problem+json`; register it first so that it runs last. */
export const problemDetails = (
  logger: Logger,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  onError: async (request) => {
    const error = request.error;
    const instance = request.event.requestContext?.requestId;
    if (isDomainError(error)) {
      // A validation error's issues are the problem's `errors`, as a zod failure's are.
      const { issues: _issues, ...details } = error.details;
      request.response = problem({
        status: error.httpStatus,
        code: error.code,
        title: error.title,
        detail: error.message,
        ...(instance && { instance }),
        ...(error instanceof ValidationError && { errors: error.issues }),
        ...(Object.keys(details).length > 0 && { details }),
      });
    } else if (error instanceof ZodError) {
      const errors = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      request.response = problem({
        status: 422,
        code: 'validation-failed',
        title: DOMAIN_ERROR_TITLES['validation-failed'],
        detail: errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '),
        ...(instance && { instance }),
        errors,
      });
    } else if (error instanceof IdempotencyValidationError) {
      request.response = problem({
        status: 409,
        code: 'idempotency-conflict',
        title: 'The idempotency key was used with a different request',
      });
    } else if (error instanceof IdempotencyAlreadyInProgressError) {
      request.response = problem({
        status: 409,
        code: 'idempotency-conflict',
        title: 'A request with this idempotency key is still in progress; retry later',
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
export const scopeIdempotencyKey = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
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
