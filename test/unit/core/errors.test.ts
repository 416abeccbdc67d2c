import {
  AlreadyCoveredError,
  BudgetExceededError,
  CommitmentNotActiveError,
  DOMAIN_ERROR_CODES,
  DOMAIN_ERROR_STATUS,
  DomainError,
  ForbiddenError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  isDomainError,
  NotEligibleError,
  NotFoundError,
  PayloadTooLargeError,
  PeriodClosedError,
  QuotaExhaustedError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

describe('domain errors', () => {
  it.each([
    [new ValidationError('bad'), 'validation-failed', 422],
    [new IllegalTransitionError('invoice', 'paid', 'void'), 'illegal-transition', 409],
    [new QuotaExhaustedError(), 'quota-exhausted', 409],
    [new AlreadyCoveredError(), 'already-covered', 409],
    [new CommitmentNotActiveError(), 'commitment-not-active', 409],
    [new BudgetExceededError(), 'budget-exceeded', 409],
    [new NotFoundError(), 'not-found', 404],
    [new ForbiddenError(), 'forbidden', 403],
    [new UnauthenticatedError(), 'unauthenticated', 401],
    [new IdempotencyInProgressError(), 'idempotency-in-progress', 409],
    [new IdempotencyKeyReusedError(), 'idempotency-key-reused', 422],
    [new UnsupportedMediaTypeError(), 'unsupported-media-type', 415],
    [new PayloadTooLargeError(), 'payload-too-large', 413],
    [new PeriodClosedError(), 'period-closed', 409],
    [new NotEligibleError(), 'not-eligible', 422],
  ] as const)('%s has a stable code and an HTTP status hint', (error, code, status) => {
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(isDomainError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.name).toBe(error.constructor.name);
    expect(error.title.length).toBeGreaterThan(0);
  });

  it('covers every code of the vocabulary', () => {
    // Assess
    expect([...DOMAIN_ERROR_CODES].sort()).toEqual(Object.keys(DOMAIN_ERROR_STATUS).sort());
    expect(DOMAIN_ERROR_CODES).toHaveLength(17);
  });

  it('keeps the cause and the details, and serialises without them leaking the stack', () => {
    // Prepare
    const cause = new Error('ConditionalCheckFailed');

    // Act
    const error = new QuotaExhaustedError('Village 15.01.01.2001 has Rp 0 left', {
      cause,
      details: { villageCode: '15.01.01.2001', available: 0, required: 201_600 },
    });

    // Assess
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({
      code: 'quota-exhausted',
      status: 409,
      title: 'The village quota is exhausted',
      message: 'Village 15.01.01.2001 has Rp 0 left',
      details: { villageCode: '15.01.01.2001', available: 0, required: 201_600 },
    });
  });

  it('lists validation issues per field', () => {
    // Act
    const error = ValidationError.forField('declaredIncome', 'must be at least 1000000');

    // Assess
    expect(error.issues).toEqual([{ path: 'declaredIncome', message: 'must be at least 1000000' }]);
    expect(error.details).toEqual({ issues: error.issues });
  });

  it('does not treat a plain error as a domain error', () => {
    // Assess
    expect(isDomainError(new Error('boom'))).toBe(false);
    expect(isDomainError({ code: 'not-found' })).toBe(false);
  });
});
