/**
 * Lists a sponsor uploads for its commitments' eligibility (issue 19): e.g. Kudus's P3KE extreme-poverty list.
 * The NIKs are checked and stored as keyed hashes only (packages/store lists.ts): the API answers how many
 * workers a list holds, never who; an enrollment into a commitment whose rules name the list looks the worker
 * up by the same hash.
 */
import { listName, MAX_LIST_NIKS, NotFoundError, parseNik, ValidationError } from '@lindung/core';
import { type CommitmentRepository, isStoreId, type ListRepository } from '@lindung/store';
import * as z from 'zod/mini';
import { authorize, type Principal } from './auth.js';
import { nik } from './schemas.js';

export interface ListServices {
  readonly commitments: CommitmentRepository;
  readonly lists: ListRepository;
}

export const listMembersBody = z.strictObject({
  niks: z
    .array(nik)
    .check(z.minLength(1), z.maxLength(MAX_LIST_NIKS), z.describe('The workers’ NIKs (16 digits each)')),
});
export type ListMembersBody = z.infer<typeof listMembersBody>;

/** The path of a list: the sponsor and the list's name. */
export interface ListPath {
  readonly sponsorId: string;
  readonly list: string;
}

/** Authorizes, checks the list's name and that the sponsor exists. */
const openList = async (
  services: ListServices,
  principal: Principal,
  operation: 'addListMembers' | 'removeListMembers' | 'getList',
  { sponsorId, list }: ListPath,
) => {
  authorize(principal, operation, { sponsorId });
  listName(list);
  if (!isStoreId(sponsorId) || !(await services.commitments.getSponsor(sponsorId))) {
    throw new NotFoundError(`No sponsor ${sponsorId}`, { details: { sponsorId } });
  }
};

/** Every NIK must be one (its birth date and region valid); the first wrong ones are named by position. */
const checkNiks = (niks: readonly string[]) => {
  const wrong = niks.flatMap((text, i) => {
    try {
      parseNik(text);
      return [];
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^nik: /, '') : String(error);
      return [{ path: `niks.${i}`, message }];
    }
  });
  if (wrong.length > 0) {
    throw new ValidationError(`${wrong.length} of ${niks.length} NIKs are not valid; nothing was changed`, {
      issues: wrong.slice(0, 20),
    });
  }
};

const answer = async (services: ListServices, { sponsorId, list }: ListPath) => ({
  sponsorId,
  list,
  members: await services.lists.size(sponsorId, list),
});

/** Puts workers on a sponsor's list (all, or none when a NIK is wrong); answers the list's size. */
export const addListMembers = async (
  services: ListServices,
  principal: Principal,
  path: ListPath,
  body: ListMembersBody,
) => {
  await openList(services, principal, 'addListMembers', path);
  checkNiks(body.niks);
  await services.lists.add(path.sponsorId, path.list, body.niks, principal.sub);
  return answer(services, path);
};

/** Takes workers off a sponsor's list; answers the list's size. */
export const removeListMembers = async (
  services: ListServices,
  principal: Principal,
  path: ListPath,
  body: ListMembersBody,
) => {
  await openList(services, principal, 'removeListMembers', path);
  checkNiks(body.niks);
  await services.lists.remove(path.sponsorId, path.list, body.niks);
  return answer(services, path);
};

/** How many workers are on a sponsor's list. */
export const getList = async (services: ListServices, principal: Principal, path: ListPath) => {
  await openList(services, principal, 'getList', path);
  return answer(services, path);
};
