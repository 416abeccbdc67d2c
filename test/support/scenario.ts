/**
 * The worlds e2e tests start from, built through the API like a client would: a sponsor with its officer
 * and approver (different people, for maker-checker), and an active commitment over some villages.
 */
import { CommitmentRepository, documentClient, LedgerRepository } from '@lindung/store';
import { expect } from 'vitest';
import { type Caller, caller } from './api-client.js';
import type { ProvidedLocalStack } from './global-local-stack.js';
import { localClients } from './local-stack.js';

export interface SponsorStaff {
  readonly sponsorId: string;
  /** Drafts commitments and proposes reallocations. */
  readonly officer: Caller;
  /** Approves them; never the officer. */
  readonly approver: Caller;
}

export interface SponsorDetails {
  readonly name: string;
  readonly kind: 'province' | 'regency' | 'city' | 'village' | 'other';
  readonly regionCode: string;
}

const JAMBI: SponsorDetails = { name: 'Provinsi Jambi', kind: 'province', regionCode: '15' };

/** Creates a sponsor (as admin) and signs in its officer and approver, whose subjects are unique to it. */
export const sponsorWithStaff = async (
  stack: ProvidedLocalStack,
  details: SponsorDetails = JAMBI,
): Promise<SponsorStaff> => {
  const admin = await caller(stack, { roles: ['admin'] });
  const sponsor = await admin.post('/v1/sponsors', details);
  expect(sponsor.status).toBe(201);
  const sponsorId = sponsor.body.id as string;
  const [officer, approver] = await Promise.all([
    caller(stack, { roles: ['sponsor-officer'], sponsorId, sub: `officer-${sponsorId}` }),
    caller(stack, { roles: ['sponsor-approver'], sponsorId, sub: `approver-${sponsorId}` }),
  ]);
  return { sponsorId, officer, approver };
};

export interface CommitmentTerms {
  readonly villages: readonly string[];
  /** The quota of each village (the budget is split equally). Default Rp 10.000.000: 49 full-year workers. */
  readonly perVillage?: number;
  readonly fiscalYear?: number;
  readonly reservation?: 'fiscal-year' | 'monthly';
}

/** The body of a draft: a fixed budget split equally over the villages, JKK + JKM on the lowest income. */
export const commitmentDraft = (
  sponsorId: string,
  { villages, perVillage = 10_000_000, fiscalYear = 2027, reservation = 'fiscal-year' }: CommitmentTerms,
) => ({
  sponsorId,
  fiscalYear,
  budget: { kind: 'fixed', amount: perVillage * villages.length },
  benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
  reservation,
  allocation: { method: 'equal', villages },
});

/** Drafts a commitment as the officer and approves it as the approver; returns its id. */
export const activeCommitment = async (staff: SponsorStaff, terms: CommitmentTerms): Promise<string> => {
  const draft = await staff.officer.post('/v1/commitments', commitmentDraft(staff.sponsorId, terms));
  expect(draft.status).toBe(201);
  const approved = await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {});
  expect(approved.status).toBe(200);
  return draft.body.id as string;
};

/** The store's repositories on the local stack, for reading what the API wrote (counters, ledger). */
export const repositories = (stack: ProvidedLocalStack) => {
  const db = documentClient(localClients(stack).dynamodb);
  const table = stack.tables.ledger?.name;
  if (!table) throw new Error('the local stack has no ledger table');
  return {
    commitments: new CommitmentRepository(db, table),
    ledger: new LedgerRepository(db, table),
  };
};
