/**
 * The use cases of enrollment termination, invoices and the period roll: authorize, apply the domain rule,
 * call the store. The roll only queues work (the schedule calls the same `rollPeriod`).
 */
import {
  comparePeriods,
  type InvoiceState,
  NotFoundError,
  parsePeriod,
  returnsToQuota,
  ValidationError,
} from '@lindung/core';
import type { IncentiveSweep, RollSummary } from '@lindung/roll';
import {
  type CommitmentRepository,
  coverageEndOf,
  type EnrollmentRepository,
  type InvoiceRepository,
  toEnrollment,
} from '@lindung/store';
import { authorize, type Principal } from './auth.js';

export interface BillingServices {
  readonly commitments: CommitmentRepository;
  readonly enrollments: EnrollmentRepository;
  readonly invoices: InvoiceRepository;
  /** The roll's fan-out, then the incentive schemes whose period has ended (as the schedule runs them). */
  readonly rollPeriod: (
    period: ReturnType<typeof parsePeriod>,
  ) => Promise<RollSummary & { readonly incentives: IncentiveSweep }>;
}

/**
 * Ends a coverage from `fromPeriod` (the first month no longer covered) and gives what was reserved beyond it
 * back to the village's available quota, so the village can enroll a replacement within the fiscal year.
 */
export const terminateEnrollment = async (
  services: BillingServices,
  principal: Principal,
  id: string,
  body: { fromPeriod: string },
) => {
  const enrollment = await services.enrollments.find(id);
  // An enrollment outside the caller's villages is reported as missing, not as forbidden: ids reveal nothing.
  if (!enrollment || !principal.villageCodes.includes(enrollment.villageCode)) {
    authorize(principal, 'terminateEnrollment', {});
    throw new NotFoundError(`No enrollment ${id}`, { details: { enrollmentId: id } });
  }
  authorize(principal, 'terminateEnrollment', { villageCode: enrollment.villageCode });
  const from = parsePeriod(body.fromPeriod, 'fromPeriod');
  if (comparePeriods(from, enrollment.startPeriod) < 0) {
    throw ValidationError.forField(
      'fromPeriod',
      `must not be before the start period ${enrollment.startPeriod}`,
    );
  }
  const commitment = await services.commitments.require(enrollment.commitmentId);
  const release = coverageEndOf(commitment, enrollment, from);
  if (release.periods.length === 0) {
    throw ValidationError.forField('fromPeriod', `the coverage already ends before ${from}`);
  }
  const ended = await services.enrollments.end(enrollment, {
    state: 'terminated',
    reason: 'terminated',
    ...release,
    requireOpenPeriod: true,
  });
  if (!ended) throw ValidationError.forField('fromPeriod', `the coverage already ends before ${from}`);
  const after = await services.enrollments.find(id);
  const toQuota = returnsToQuota('terminated');
  return {
    ...toEnrollment(after as unknown as Record<string, unknown>),
    returned: toQuota ? release.amount : 0,
    released: toQuota ? 0 : release.amount,
  };
};

export interface InvoiceQuery {
  readonly sponsorId?: string;
  readonly villageCode?: string;
  readonly period?: string;
  readonly status?: InvoiceState;
  readonly limit: number;
  readonly pageToken?: string;
}

/** Invoices of a sponsor or a village. A sponsor's or village's own users may omit the filter they are scoped to. */
export const listInvoices = async (services: BillingServices, principal: Principal, query: InvoiceQuery) => {
  const sponsorId = query.sponsorId ?? (query.villageCode ? undefined : principal.sponsorId);
  const villageCode =
    query.villageCode ??
    (sponsorId === undefined && principal.villageCodes.length === 1 ? principal.villageCodes[0] : undefined);
  if (sponsorId === undefined && villageCode === undefined) {
    throw ValidationError.forField('sponsorId', 'name a sponsorId or a villageCode');
  }
  authorize(
    principal,
    'listInvoices',
    sponsorId !== undefined ? { sponsorId } : { ...(villageCode && { villageCode }) },
  );
  if (query.period) parsePeriod(query.period, 'period');
  return services.invoices.list(
    {
      ...(sponsorId !== undefined ? { sponsorId } : {}),
      ...(villageCode !== undefined ? { villageCode } : {}),
      ...(query.period && { period: query.period }),
      ...(query.status && { status: query.status }),
    },
    query.limit,
    query.pageToken,
  );
};

export const getInvoice = async (services: BillingServices, principal: Principal, id: string) => {
  const invoice = await services.invoices.get(id);
  const allowed = [{ sponsorId: invoice.sponsorId }, { villageCode: invoice.villageCode }];
  const mayRead = allowed.some((scope) => {
    try {
      authorize(principal, 'getInvoice', scope);
      return true;
    } catch {
      return false;
    }
  });
  if (!mayRead) authorize(principal, 'getInvoice', allowed[0]);
  return invoice;
};

/** Runs the period roll now: queues one unit of work per village (idempotent). */
export const rollPeriodNow = async (services: BillingServices, principal: Principal, period: string) => {
  authorize(principal, 'rollPeriod');
  return services.rollPeriod(parsePeriod(period, 'period'));
};
