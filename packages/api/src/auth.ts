/**
 * Who is calling and what they may do: the one place where roles and scopes are enforced.
 * Claims arrive as API Gateway's JWT authorizer passes them (strings; arrays as `[a b]`), from Cognito
 * (`cognito:groups`, `custom:sponsorId`, `custom:villageCodes`, `custom:partnerId`) or from the local token issuer.
 */
import { ForbiddenError, UnauthenticatedError } from '@lindung/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export const ROLES = [
  'admin',
  'sponsor-officer',
  'sponsor-approver',
  'village-operator',
  'billing',
  'auditor',
  'collector',
  'regional-office',
] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly sub: string;
  readonly roles: ReadonlySet<Role>;
  readonly sponsorId?: string;
  readonly villageCodes: readonly string[];
  /** The collection partner a collector records deposits for. */
  readonly partnerId?: string;
  /** The provinces (or regencies) a BPJS regional office oversees. */
  readonly regionCodes?: readonly string[];
}

/** Reads a claim that may be an array, `[a b]`, a JSON array or a comma-separated string. */
export const claimList = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // API Gateway's `[a b]` form
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
};

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** The caller of a request; throws `UnauthenticatedError` when the authorizer passed no subject. */
export const principalOf = (event: APIGatewayProxyEventV2): Principal => {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer?.jwt?.claims;
  const sub = typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!claims || !sub) throw new UnauthenticatedError('A valid bearer token is required');
  const roles = [...claimList(claims.roles), ...claimList(claims['cognito:groups'])].filter(isRole);
  const sponsorId = claims.sponsorId ?? claims['custom:sponsorId'];
  const partnerId = claims.partnerId ?? claims['custom:partnerId'];
  return {
    sub,
    roles: new Set(roles),
    ...(typeof sponsorId === 'string' && sponsorId && { sponsorId }),
    ...(typeof partnerId === 'string' && partnerId && { partnerId }),
    villageCodes: [...claimList(claims.villageCodes), ...claimList(claims['custom:villageCodes'])],
    regionCodes: [...claimList(claims.regionCodes), ...claimList(claims['custom:regionCodes'])],
  };
};

/** What a request touches, for scope checks. */
export interface Scope {
  readonly sponsorId?: string;
  readonly villageCode?: string;
  readonly partnerId?: string;
  /** The region a report or target is of (`ID` for the whole country). */
  readonly regionCode?: string;
}

type Rule = 'any' | 'own-sponsor' | 'own-village' | 'own-partner' | 'own-region';
export type Policy = { readonly [R in Role]?: Rule };

const SPONSOR_READERS: Policy = {
  'sponsor-officer': 'own-sponsor',
  'sponsor-approver': 'own-sponsor',
  auditor: 'any',
  admin: 'any',
};

const INVOICE_READERS: Policy = {
  'sponsor-officer': 'own-sponsor',
  'sponsor-approver': 'own-sponsor',
  'village-operator': 'own-village',
  billing: 'any',
  auditor: 'any',
  admin: 'any',
};

/** Reports of a sponsor's figures, or of a village's for its operator. */
const REPORT_READERS: Policy = { ...SPONSOR_READERS, 'village-operator': 'own-village' };

/** Every protected operation and who may call it, in which scope. */
export const POLICIES = {
  createSponsor: { admin: 'any' },
  draftCommitment: { 'sponsor-officer': 'own-sponsor' },
  approveCommitment: { 'sponsor-approver': 'own-sponsor' },
  rejectCommitment: { 'sponsor-approver': 'own-sponsor' },
  /** Only the drafter, which the store's condition checks. */
  withdrawCommitment: { 'sponsor-officer': 'own-sponsor' },
  listSponsorCommitments: SPONSOR_READERS,
  /** The region tree is public data: every signed-in role may read it. */
  regionChildren: {
    admin: 'any',
    'sponsor-officer': 'any',
    'sponsor-approver': 'any',
    'village-operator': 'any',
    billing: 'any',
    auditor: 'any',
    collector: 'any',
    'regional-office': 'any',
  },
  getCommitment: SPONSOR_READERS,
  listAllocations: SPONSOR_READERS,
  proposeReallocation: { 'sponsor-officer': 'own-sponsor' },
  approveReallocation: { 'sponsor-approver': 'own-sponsor' },
  rejectReallocation: { 'sponsor-approver': 'own-sponsor' },
  /** Only the proposer, which the store's condition checks. */
  withdrawReallocation: { 'sponsor-officer': 'own-sponsor' },
  listReallocations: SPONSOR_READERS,
  enroll: { 'village-operator': 'own-village' },
  /** Which commitments of the village can take a worker, and why: its operators, and auditors. */
  fundingOptions: { 'village-operator': 'own-village', auditor: 'any' },
  importEnrollments: { 'village-operator': 'own-village' },
  /** An import job, with its per-row results: the village's operators, who post imports. */
  getImport: { 'village-operator': 'own-village' },
  /** A sponsor reads a village's enrollments of its own commitment (the `commitmentId` query parameter). */
  listVillageEnrollments: { ...SPONSOR_READERS, 'village-operator': 'own-village' },
  terminateEnrollment: { 'village-operator': 'own-village' },
  listInvoices: INVOICE_READERS,
  getInvoice: INVOICE_READERS,
  rollPeriod: { admin: 'any' },
  operations: { admin: 'any' },
  /** A BPJS regional office reads every sponsor's figures of the regions it oversees. */
  coverageReport: { ...REPORT_READERS, 'regional-office': 'own-region' },
  budgetReport: SPONSOR_READERS,
  reportWorkers: REPORT_READERS,
  createPartner: { admin: 'any' },
  getPartner: { admin: 'any', auditor: 'any', collector: 'own-partner' },
  /** The directory of partners: who administers them and who audits them. */
  listPartners: { admin: 'any', auditor: 'any' },
  recordDeposits: { collector: 'own-partner' },
  /** A worker's balance: the partner's collectors and the administrator (NIK in the body, never the URL). */
  lookupBalance: { admin: 'any', collector: 'own-partner' },
  refund: { admin: 'any', collector: 'own-partner' },
  partnerStatement: { admin: 'any', auditor: 'any', collector: 'own-partner' },
  registerContributor: { admin: 'any', collector: 'own-partner' },
  /** A worker's account: the partner's collectors and the administrator (NIK in the body, never the URL). */
  lookupContributor: { admin: 'any', collector: 'own-partner' },
  getRemittance: { admin: 'any', auditor: 'any', billing: 'any', collector: 'own-partner' },
  /** A sponsor's officer sets targets within its sponsor's region (the use case checks the region). */
  setTarget: { admin: 'any', 'sponsor-officer': 'own-sponsor' },
  getTarget: { ...SPONSOR_READERS, 'regional-office': 'own-region' },
  /** A planning question on a region: who plans budgets, who audits them, and BPJS's regional offices. */
  planReport: { ...SPONSOR_READERS, 'regional-office': 'own-region' },
  /** An incentive scheme is the sponsor's money: its officer defines it (the administrator may too). */
  createIncentive: { admin: 'any', 'sponsor-officer': 'own-sponsor' },
  listIncentives: SPONSOR_READERS,
  getIncentive: SPONSOR_READERS,
  /** What the roll after the scheme's period does, asked for by hand. */
  evaluateIncentive: { admin: 'any' },
  /** A sponsor's eligibility lists (P3KE): its finance officer keeps them; who reads its figures sees their size. */
  addListMembers: { admin: 'any', 'sponsor-officer': 'own-sponsor' },
  removeListMembers: { admin: 'any', 'sponsor-officer': 'own-sponsor' },
  getList: SPONSOR_READERS,
} as const satisfies Record<string, Policy>;

export type Operation = keyof typeof POLICIES;

const allows = (principal: Principal, rule: Rule, scope: Scope): boolean => {
  switch (rule) {
    case 'any':
      return true;
    case 'own-sponsor':
      return principal.sponsorId !== undefined && principal.sponsorId === scope.sponsorId;
    case 'own-village':
      return scope.villageCode !== undefined && principal.villageCodes.includes(scope.villageCode);
    case 'own-partner':
      return principal.partnerId !== undefined && principal.partnerId === scope.partnerId;
    case 'own-region': {
      const code = scope.regionCode;
      return (
        code !== undefined &&
        (principal.regionCodes ?? []).some((region) => code === region || code.startsWith(`${region}.`))
      );
    }
  }
};

/** Throws `ForbiddenError` unless one of the caller's roles allows the operation in this scope. */
export const authorize = (principal: Principal, operation: Operation, scope: Scope = {}): void => {
  const policy: Policy = POLICIES[operation];
  for (const role of principal.roles) {
    const rule = policy[role];
    if (rule && allows(principal, rule, scope)) return;
  }
  throw new ForbiddenError(`Not allowed to ${operation} in this scope`, { details: { operation } });
};
