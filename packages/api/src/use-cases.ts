/** The use cases of the HTTP API: authorize, apply the domain rules, call one repository. */
import {
  type AllocationMethod,
  allocate,
  benefitPackage,
  checkCoFunding,
  childrenOf,
  eligibilityRules,
  fundingBudget,
  NotFoundError,
  parsePercent,
  villageCode as parseVillageCode,
  payerShare,
  percentOfGrantFunding,
  rupiah,
  ValidationError,
  villagesOf,
} from '@lindung/core';
import type {
  Commitment,
  CommitmentRepository,
  CommitmentTerms,
  EnrollmentRepository,
  ListRepository,
  ReallocationRepository,
} from '@lindung/store';
import { authorize, type Principal } from './auth.js';
import type { ActiveCommitmentTerms } from './commitment-terms.js';
import type { CreateSponsorBody, DraftCommitmentBody, RejectBody } from './schemas.js';

export interface Services {
  readonly commitments: CommitmentRepository;
  readonly enrollments: EnrollmentRepository;
  readonly reallocations: ReallocationRepository;
  /** The sponsors' eligibility lists (P3KE), which a commitment's rules may name. */
  readonly lists: ListRepository;
  /** Active commitments' terms kept in the process (the HTTP API's); without it each enrollment reads its commitment. */
  readonly commitmentTerms?: ActiveCommitmentTerms;
}

const regionVillages = (region: string) => villagesOf(region).map((v) => v.code as string);

/** The villages a commitment covers and how its budget is split among them. */
const termsOf = (body: DraftCommitmentBody) => {
  const { budget, allocation } = body;
  let villages: string[];
  if (budget.kind === 'percent-of-grant') villages = regionVillages(budget.region);
  else if ('villages' in allocation && allocation.villages)
    villages = [...new Set(allocation.villages)].sort();
  else if ('region' in allocation && allocation.region) villages = regionVillages(allocation.region);
  else if (allocation.method === 'proportional') villages = Object.keys(allocation.targets).sort();
  else if (allocation.method === 'explicit') villages = Object.keys(allocation.amounts).sort();
  else throw ValidationError.forField('allocation', 'name the villages: a region or a list of village codes');
  if (villages.length === 0) throw ValidationError.forField('allocation', 'covers no village');

  let total: number;
  let method: AllocationMethod;
  if (budget.kind === 'percent-of-grant') {
    const rule = percentOfGrantFunding(
      budget.grantPerVillage,
      parsePercent(String(budget.percent)),
      budget.region,
    );
    method = { kind: 'percent-of-grant', grantPerVillage: rule.grantPerVillage, percent: rule.percent };
    total = fundingBudget(rule, villages.length).total;
  } else {
    total = budget.amount;
    if (allocation.method === 'percent-of-grant') {
      throw ValidationError.forField('allocation.method', 'percent-of-grant needs a percent-of-grant budget');
    }
    method =
      allocation.method === 'equal'
        ? { kind: 'equal' }
        : allocation.method === 'proportional'
          ? { kind: 'proportional', targets: allocation.targets }
          : { kind: 'explicit', amounts: allocation.amounts };
  }
  // Allocating now proves the split fits the budget before anything is stored.
  allocate(rupiah(total), method, villages);
  return { villages, total: rupiah(total), method };
};

const methodOf = (commitment: Commitment): AllocationMethod =>
  commitment.allocation as unknown as AllocationMethod;

export const createSponsor = (services: Services, principal: Principal, body: CreateSponsorBody) => {
  authorize(principal, 'createSponsor');
  return services.commitments.createSponsor(body);
};

export const draftCommitment = async (
  services: Services,
  principal: Principal,
  body: DraftCommitmentBody,
) => {
  authorize(principal, 'draftCommitment', { sponsorId: body.sponsorId });
  const benefit = benefitPackage(body.benefit);
  const { villages, total, method } = termsOf(body);
  const share = payerShare(body.share, benefit);
  const terms: CommitmentTerms = {
    sponsorId: body.sponsorId,
    fiscalYear: body.fiscalYear,
    budget: total,
    funding: body.budget,
    benefit,
    reservation: body.reservation,
    ...(body.eligibility && { eligibility: eligibilityRules(body.eligibility) }),
    ...(body.priority !== undefined && { priority: body.priority }),
    ...(share && { share }),
    ...(body.coFunds !== undefined && { coFunds: body.coFunds }),
    allocation: method as unknown as Record<string, unknown>,
    villageCodes: villages,
  };
  if (terms.coFunds !== undefined) checkCoFunding(await coFunded(services, terms.coFunds, 'draft'), terms);
  return services.commitments.draft(terms, principal.sub);
};

/**
 * The commitment a co-funding commitment names: at its draft one not rejected, withdrawn or closed; at its
 * approval an active one (the co-funder's quotas are only ever drawn beside the primary's).
 */
const coFunded = async (services: Services, id: string, stage: 'draft' | 'approval') => {
  const primary = await services.commitments.get(id);
  const usable = stage === 'draft' ? ['draft', 'activating', 'active'] : ['active'];
  if (!primary || !usable.includes(primary.status)) {
    throw ValidationError.forField(
      'coFunds',
      primary ? `commitment ${id} is ${primary.status}` : `there is no commitment ${id}`,
      { details: { coFunds: id } },
    );
  }
  return primary;
};

export const approveCommitment = async (services: Services, principal: Principal, id: string) => {
  const commitment = await services.commitments.require(id);
  authorize(principal, 'approveCommitment', { sponsorId: commitment.sponsorId });
  if (commitment.coFunds !== undefined && commitment.status === 'draft') {
    checkCoFunding(await coFunded(services, commitment.coFunds, 'approval'), commitment);
  }
  const allocations = allocate(commitment.budget, methodOf(commitment), commitment.villageCodes);
  return services.commitments.approve(id, principal.sub, allocations);
};

/** Rejects a draft, with a reason (maker-checker: not by its drafter); a draft holds no money. */
export const rejectCommitment = async (
  services: Services,
  principal: Principal,
  id: string,
  body: RejectBody,
) => {
  const commitment = await services.commitments.require(id);
  authorize(principal, 'rejectCommitment', { sponsorId: commitment.sponsorId });
  return summary(await services.commitments.decideDraft(id, 'reject', principal.sub, body.reason));
};

/** Withdraws a draft by its drafter. */
export const withdrawCommitment = async (services: Services, principal: Principal, id: string) => {
  const commitment = await services.commitments.require(id);
  authorize(principal, 'withdrawCommitment', { sponsorId: commitment.sponsorId });
  return summary(await services.commitments.decideDraft(id, 'withdraw', principal.sub));
};

/** A commitment without its list of village codes (a province's holds ~1,500), with their count. */
const summary = ({ villageCodes, ...rest }: Commitment) => ({ ...rest, villages: villageCodes.length });

/** A sponsor's commitments, newest first; `status: 'draft'` lists those waiting for approval. */
export const listSponsorCommitments = async (
  services: Services,
  principal: Principal,
  sponsorId: string,
  status?: Commitment['status'],
) => {
  authorize(principal, 'listSponsorCommitments', { sponsorId });
  const items = await services.commitments.ofSponsor(sponsorId, status);
  return { items: items.map(summary) };
};

/** The regions one level below `code` (`ID`, the country: the provinces), for pickers, with their village counts. */
export const regionChildren = (principal: Principal, code: string) => {
  authorize(principal, 'regionChildren');
  const items = childrenOf(code === 'ID' ? undefined : code).map(({ code, name, level }) => ({
    code,
    name,
    level,
    ...(level === 'village' ? {} : { villages: villagesOf(code).length }),
  }));
  return { items };
};

/** A commitment with its totals, summed from its allocations (the commitment item is not written per enrollment). */
export const getCommitment = async (services: Services, principal: Principal, id: string) => {
  const commitment = await services.commitments.require(id);
  authorize(principal, 'getCommitment', { sponsorId: commitment.sponsorId });
  const allocations = await services.commitments.allAllocations(id);
  const total = (pick: (a: (typeof allocations)[number]) => number) =>
    allocations.reduce((s, a) => s + pick(a), 0);
  const { villageCodes, ...rest } = commitment;
  return {
    ...rest,
    villages: villageCodes.length,
    totals: {
      budget: commitment.budget,
      allocated: total((a) => a.budget),
      awarded: commitment.awarded ?? 0,
      unallocated: commitment.budget - total((a) => a.budget) - (commitment.awarded ?? 0),
      reserved: total((a) => a.reserved),
      spent: total((a) => a.spent),
      released: total((a) => a.released),
      remaining: total((a) => a.available),
      enrolledWorkers: total((a) => a.workers),
    },
  };
};

export const listAllocations = async (
  services: Services,
  principal: Principal,
  id: string,
  limit: number,
  pageToken?: string,
) => {
  const commitment = await services.commitments.require(id);
  authorize(principal, 'listAllocations', { sponsorId: commitment.sponsorId });
  return services.commitments.allocations(id, limit, pageToken);
};

export const listVillageEnrollments = async (
  services: Services,
  principal: Principal,
  village: string,
  limit: number,
  pageToken?: string,
  commitmentId?: string,
) => {
  const villageCode = parseVillageCode(village);
  if (commitmentId === undefined) {
    authorize(principal, 'listVillageEnrollments', { villageCode });
    return services.enrollments.ofVillage(villageCode, limit, pageToken);
  }
  const commitment = await services.commitments.get(commitmentId);
  authorize(principal, 'listVillageEnrollments', { villageCode, sponsorId: commitment?.sponsorId });
  if (!commitment) throw new NotFoundError(`No commitment ${commitmentId}`, { details: { commitmentId } });
  return services.enrollments.pageOfAllocation(commitmentId, villageCode, limit, pageToken);
};
