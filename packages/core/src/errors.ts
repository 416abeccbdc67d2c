/**
 * The one error vocabulary of Lindung. Every rule of the domain that refuses something throws one of these;
 * the HTTP API maps `code` and `httpStatus` to `application/problem+json` (RFC 9457), queue consumers and the
 * CLI map them to their own outcomes. Codes are stable machine strings: clients branch on them, so never
 * rename one.
 */

/** The stable machine codes of domain errors, with the HTTP status each one hints at. */
export const DOMAIN_ERROR_STATUS = {
  'validation-failed': 422,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'illegal-transition': 409,
  'quota-exhausted': 409,
  'already-covered': 409,
  'commitment-not-active': 409,
  'budget-exceeded': 409,
  'idempotency-in-progress': 409,
  'idempotency-key-reused': 422,
  'period-closed': 409,
  'receipt-conflict': 409,
  'balance-insufficient': 409,
  'not-eligible': 422,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
} as const satisfies Record<string, number>;

/** A stable machine code of a domain error, e.g. `quota-exhausted`. */
export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

/** Every domain error code, in a stable order. */
export const DOMAIN_ERROR_CODES = Object.keys(DOMAIN_ERROR_STATUS) as readonly DomainErrorCode[];

/** Short human titles per code, the `title` member of a problem document. */
export const DOMAIN_ERROR_TITLES: Readonly<Record<DomainErrorCode, string>> = {
  'validation-failed': 'The request is not valid',
  unauthenticated: 'Authentication is required',
  forbidden: 'Not allowed in this scope',
  'not-found': 'Not found',
  'illegal-transition': 'Not allowed in the current state',
  'quota-exhausted': 'The village quota is exhausted',
  'already-covered': 'The worker is already covered for these periods',
  'commitment-not-active': 'The commitment is not active',
  'budget-exceeded': 'The budget would be exceeded',
  'idempotency-in-progress': 'A request with this idempotency key is still in progress; retry later',
  'idempotency-key-reused': 'The idempotency key was used with a different request',
  'period-closed': 'The period is already invoiced',
  'receipt-conflict': 'The receipt number is already used for another deposit',
  'balance-insufficient': 'The contribution balance does not cover the amount',
  'not-eligible': 'The worker is outside the commitment’s eligibility rules',
  'unsupported-media-type': 'The body is not of a media type this route accepts',
  'payload-too-large': 'The body is larger than this route accepts',
};

/** Safe, client-facing facts about an error (no personal data: mask a NIK before putting it here). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options every domain error accepts. */
export interface DomainErrorOptions {
  /** The lower-level error this one explains. */
  readonly cause?: unknown;
  /** Facts a client can act on, e.g. `{ available: 0, required: 201600 }`. */
  readonly details?: ErrorDetails;
}

/** The base of every domain error: a stable `code`, an `httpStatus` hint, optional `details` and `cause`. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  readonly details: ErrorDetails;

  protected constructor(message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }

  /** The HTTP status that fits this error; 4xx only, because domain errors are the caller's to fix. */
  get httpStatus(): number {
    return DOMAIN_ERROR_STATUS[this.code];
  }

  /** The short title of this error's code. */
  get title(): string {
    return DOMAIN_ERROR_TITLES[this.code];
  }

  /** A plain, serialisable view (no stack, no cause) fit for logs and problem documents. */
  toJSON(): { code: DomainErrorCode; status: number; title: string; message: string; details: ErrorDetails } {
    return {
      code: this.code,
      status: this.httpStatus,
      title: this.title,
      message: this.message,
      details: this.details,
    };
  }
}

/** One reason an input was refused; `path` names the field (`declaredIncome`, `rows[3].nik`, or `''`). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Options of a validation error: the issues found, besides the base options. */
export interface ValidationErrorOptions extends DomainErrorOptions {
  readonly issues?: readonly ValidationIssue[];
}

/** An input breaks a rule of shape or range (422 `validation-failed`). */
export class ValidationError extends DomainError {
  readonly code = 'validation-failed';
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, options: ValidationErrorOptions = {}) {
    const issues = options.issues ?? [{ path: '', message }];
    super(message, { ...options, details: { ...options.details, issues } });
    this.issues = issues;
  }

  /** A validation error about one field. */
  static forField(path: string, message: string, options: DomainErrorOptions = {}): ValidationError {
    return new ValidationError(`${path}: ${message}`, { ...options, issues: [{ path, message }] });
  }
}

/** A state machine was asked for an event its current state does not accept (409 `illegal-transition`). */
export class IllegalTransitionError extends DomainError {
  readonly code = 'illegal-transition';
  readonly machine: string;
  readonly from: string;
  readonly event: string;

  constructor(machine: string, from: string, event: string, options: DomainErrorOptions = {}) {
    super(`${machine}: cannot ${event} when ${from}`, {
      ...options,
      details: { ...options.details, machine, from, event },
    });
    this.machine = machine;
    this.from = from;
    this.event = event;
  }
}

/** A village allocation has not enough unreserved budget for what was asked (409 `quota-exhausted`). */
export class QuotaExhaustedError extends DomainError {
  readonly code = 'quota-exhausted';
  constructor(message = 'The village quota is exhausted', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/** The worker already has a subsidised coverage for one of the periods (409 `already-covered`, I3). */
export class AlreadyCoveredError extends DomainError {
  readonly code = 'already-covered';
  constructor(message = 'The worker is already covered for these periods', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/** The commitment is a draft or closed, so nothing may be enrolled against it (409 `commitment-not-active`). */
export class CommitmentNotActiveError extends DomainError {
  readonly code = 'commitment-not-active';
  constructor(message = 'The commitment is not active', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/** Amounts asked for exceed the budget they come from (409 `budget-exceeded`, I1). */
export class BudgetExceededError extends DomainError {
  readonly code = 'budget-exceeded';
  constructor(message = 'The budget would be exceeded', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/** The thing asked for does not exist, or is outside the caller's scope and must not be revealed (404). */
export class NotFoundError extends DomainError {
  readonly code = 'not-found';
  constructor(message = 'Not found', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/** The caller is known but not allowed this action in this scope (403 `forbidden`), e.g. maker = checker. */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  constructor(message = 'Not allowed', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/** The caller did not prove who they are (401 `unauthenticated`). */
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
  constructor(message = 'Authentication is required', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/**
 * The first request with this idempotency key still runs (409 `idempotency-in-progress`, I6): the caller
 * retries after `retryAfterSeconds` and then gets that request's answer.
 */
export class IdempotencyInProgressError extends DomainError {
  readonly code = 'idempotency-in-progress';
  readonly retryAfterSeconds: number;
  constructor(
    message = 'A request with this idempotency key is still in progress; retry later',
    options: DomainErrorOptions & { readonly retryAfterSeconds?: number } = {},
  ) {
    const retryAfterSeconds = options.retryAfterSeconds ?? 1;
    super(message, { ...options, details: { ...options.details, retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The same idempotency key came back with a different request body (422 `idempotency-key-reused`, I6). */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency-key-reused';
  constructor(
    message = 'The idempotency key was used with a different request',
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The body's media type is not one the route reads, e.g. form data sent to a JSON route (415). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported-media-type';
  constructor(
    message = 'The body is not of a media type this route accepts',
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The body is larger than the route accepts (413 `payload-too-large`). */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload-too-large';
  constructor(message = 'The body is larger than this route accepts', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/**
 * The village's period has been rolled (invoiced), so enrollments starting in it and terminations from it
 * are refused (409 `period-closed`): an invoiced worker-month cannot be added or taken back.
 */
export class PeriodClosedError extends DomainError {
  readonly code = 'period-closed';
  constructor(message = 'The period is already invoiced', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

/**
 * A receipt number names one deposit of a partner: sent again with another worker, amount, day or village it
 * is refused (409 `receipt-conflict`); sent again with the same content it is answered as the first time.
 */
export class ReceiptConflictError extends DomainError {
  readonly code = 'receipt-conflict';
  constructor(
    message = 'The receipt number is already used for another deposit',
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** A refund larger than the worker's contribution balance, or than the partner holds (409 `balance-insufficient`). */
export class BalanceInsufficientError extends DomainError {
  readonly code = 'balance-insufficient';
  constructor(
    message = 'The contribution balance does not cover the amount',
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Whether a value is a domain error, i.e. one the caller may see (everything else is a 500). */
export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** The worker is outside the eligibility rules of the commitment (422 `not-eligible`): its age or segment. */
export class NotEligibleError extends DomainError {
  readonly code = 'not-eligible';
  constructor(
    message = 'The worker is outside the commitment’s eligibility rules',
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}
