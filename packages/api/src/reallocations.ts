/** Reallocation use cases: an officer proposes moving quota, an approver who did not propose it applies it. */
import { CommitmentNotActiveError, checkReallocationMoves } from '@lindung/core';
import { authorize, type Principal } from './auth.js';
import type { ProposeReallocationBody, RejectBody } from './schemas.js';
import type { Services } from './use-cases.js';

/** Records a proposal to move unreserved quota between villages of an active commitment; moves no money. */
export const proposeReallocation = async (
  services: Services,
  principal: Principal,
  commitmentId: string,
  body: ProposeReallocationBody,
) => {
  const commitment = await services.commitments.require(commitmentId);
  authorize(principal, 'proposeReallocation', { sponsorId: commitment.sponsorId });
  if (commitment.status !== 'active') {
    throw new CommitmentNotActiveError(`Commitment ${commitmentId} is ${commitment.status}`, {
      details: { commitmentId, status: commitment.status },
    });
  }
  const moves = checkReallocationMoves(body.moves, new Set(commitment.villageCodes));
  return services.reallocations.propose(
    {
      commitmentId,
      sponsorId: commitment.sponsorId,
      moves,
      ...(body.reason && { reason: body.reason }),
    },
    principal.sub,
  );
};

/** Applies a proposal: all of its moves in one transaction, or none (maker-checker: not by its proposer). */
export const approveReallocation = async (
  services: Services,
  principal: Principal,
  commitmentId: string,
  reallocationId: string,
) => {
  const commitment = await services.commitments.require(commitmentId);
  authorize(principal, 'approveReallocation', { sponsorId: commitment.sponsorId });
  return services.reallocations.approve(commitmentId, reallocationId, principal.sub);
};

/** Rejects a proposal, with a reason (maker-checker: not by its proposer); moves nothing. */
export const rejectReallocation = async (
  services: Services,
  principal: Principal,
  commitmentId: string,
  reallocationId: string,
  body: RejectBody,
) => {
  const commitment = await services.commitments.require(commitmentId);
  authorize(principal, 'rejectReallocation', { sponsorId: commitment.sponsorId });
  return services.reallocations.decide(commitmentId, reallocationId, 'reject', principal.sub, body.reason);
};

/** Withdraws a proposal by its proposer; moves nothing. */
export const withdrawReallocation = async (
  services: Services,
  principal: Principal,
  commitmentId: string,
  reallocationId: string,
) => {
  const commitment = await services.commitments.require(commitmentId);
  authorize(principal, 'withdrawReallocation', { sponsorId: commitment.sponsorId });
  return services.reallocations.decide(commitmentId, reallocationId, 'withdraw', principal.sub);
};

/** One page of a commitment's reallocations, proposed and approved. */
export const listReallocations = async (
  services: Services,
  principal: Principal,
  commitmentId: string,
  limit: number,
  pageToken?: string,
) => {
  const commitment = await services.commitments.require(commitmentId);
  authorize(principal, 'listReallocations', { sponsorId: commitment.sponsorId });
  return services.reallocations.ofCommitment(commitmentId, limit, pageToken);
};
