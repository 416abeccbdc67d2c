/**
 * One fixture per route of `apiRoutes`: who may call it in which scope, and a valid request for it against a
 * world of two sponsors. The authorization matrix and the malformed-input fuzz test both run over every route
 * and fail for a route without a fixture, so a new route is added here, once, for both.
 */
import {
  apiRoutes,
  balanceLookupBody,
  budgetQuery,
  coverageQuery,
  createIncentiveBody,
  createPartnerBody,
  createSponsorBody,
  draftCommitmentBody,
  enrollBody,
  fundingOptionsBody,
  importEnrollmentsRequest,
  invoiceQuery,
  listMembersBody,
  pageQuery,
  partnersQuery,
  planQuery,
  proposeReallocationBody,
  ROLES,
  type Role,
  redriveBody,
  refundBody,
  registerContributorBody,
  rejectBody,
  reportWorkersQuery,
  setTargetBody,
  sponsorCommitmentsQuery,
  stuckQuery,
  terminateBody,
  villageEnrollmentsQuery,
} from '@lindung/api';
import { expect } from 'vitest';
import type { z } from 'zod';
import { recordDepositsBody } from '../../packages/api/src/contract.js';
import { type Answer, type Caller, caller, nikIn } from './api-client.js';
import type { ProvidedLocalStack } from './global-local-stack.js';
import { eventually } from './local-stack.js';
import { activeCommitment, commitmentDraft, sponsorWithStaff } from './scenario.js';

export type RouteName = keyof typeof apiRoutes;
export type Scope = 'own' | 'foreign';

/** Resources of one sponsor in the world: its staff's scope and things to act on. */
export interface Side {
  readonly sponsorId: string;
  readonly commitmentId: string;
  /** A village of `commitmentId`; the village of that side's village operator. */
  readonly village: string;
  /** A collection partner; the partner of that side's collector. */
  readonly partnerId: string;
}

/** Two sponsors; requests act on the `own` one's resources, and callers hold either side's scope. */
export interface World {
  readonly year: number;
  readonly own: Side & {
    /** Another village of the own commitment. */
    readonly sibling: string;
    /** A draft commitment, for approval. */
    readonly draftId: string;
    /** A proposed reallocation of the own commitment, for approval. */
    readonly reallocationId: string;
    /** A draft and a proposal by the own-scope officer caller, which only its drafter may withdraw. */
    readonly withdrawable: { readonly draftId: string; readonly reallocationId: string };
    /** An active enrollment in the own village, for termination. */
    readonly enrollmentId: string;
    /** An import job of the own village (one invalid row: it never enrolls anyone). */
    readonly importId: string;
    /** An invoice of the own village, for the first rolled period. */
    readonly invoiceId: string;
    /** The period rolled (and so closed) while building the world. */
    readonly rolled: string;
    /** An incentive scheme over the own commitment's village. */
    readonly incentiveId: string;
  };
  readonly foreign: Side;
  /** A NIK no request of this world has used yet. */
  nik(): string;
  /** A period of the world's year still open for coverage to start in. */
  readonly openPeriod: string;
}

/** A request for a route: path parameters, query, and a JSON or CSV body. */
export interface RouteRequest {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly csv?: string;
}

/** Who may call a route: `own` only in their own sponsor's or village's scope, `any` in every scope. */
export type Allowed = Readonly<Partial<Record<Role, 'own' | 'any'>>>;

export interface RouteFixture {
  /** Every role and scope not listed here must be refused with 403 `forbidden`. */
  readonly allowed: Allowed;
  /** A valid request on the world's own resources, as `role` would send it (built afresh for each call). */
  readonly request: (world: World, role: Role) => RouteRequest;
  /** The schema the handler parses the JSON body with; absent when the route reads no body. */
  readonly body?: z.core.$ZodType;
  /** The schema the handler parses the query with; absent when the route reads no query. */
  readonly query?: z.core.$ZodObject;
}

const SPONSOR_READERS: Allowed = {
  'sponsor-officer': 'own',
  'sponsor-approver': 'own',
  auditor: 'any',
  admin: 'any',
};

const INVOICE_READERS: Allowed = {
  ...SPONSOR_READERS,
  'village-operator': 'own',
  billing: 'any',
};

const REPORT_READERS: Allowed = { ...SPONSOR_READERS, 'village-operator': 'own' };

/** A village operator asks about its village; everyone else about a sponsor. */
const sponsorOrVillage = (w: World, role: Role, sponsorKey: string, villageKey: string) =>
  Object.fromEntries([
    role === 'village-operator' ? [villageKey, w.own.village] : [sponsorKey, w.own.sponsorId],
  ]);

/** The fixtures, by route name (see the module comment). */
export const routeFixtures: Readonly<Partial<Record<RouteName, RouteFixture>>> = {
  createSponsor: {
    allowed: { admin: 'any' },
    request: () => ({ body: { name: 'Kabupaten Kerinci', kind: 'regency', regionCode: '15.01' } }),
    body: createSponsorBody,
  },
  draftCommitment: {
    allowed: { 'sponsor-officer': 'own' },
    request: (w) => ({
      body: commitmentDraft(w.own.sponsorId, { villages: [w.own.village], fiscalYear: w.year }),
    }),
    body: draftCommitmentBody,
  },
  approveCommitment: {
    allowed: { 'sponsor-approver': 'own' },
    request: (w) => ({ params: { id: w.own.draftId } }),
  },
  rejectCommitment: {
    allowed: { 'sponsor-approver': 'own' },
    request: (w) => ({ params: { id: w.own.draftId }, body: { reason: 'Anggaran belum disahkan' } }),
    body: rejectBody,
  },
  withdrawCommitment: {
    allowed: { 'sponsor-officer': 'own' },
    request: (w) => ({ params: { id: w.own.withdrawable.draftId } }),
  },
  listSponsorCommitments: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { id: w.own.sponsorId }, query: { status: 'draft' } }),
    query: sponsorCommitmentsQuery,
  },
  regionChildren: {
    allowed: Object.fromEntries(ROLES.map((role) => [role, 'any'])),
    request: () => ({ params: { code: '15.71' } }),
  },
  getCommitment: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { id: w.own.commitmentId } }),
  },
  listAllocations: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { id: w.own.commitmentId }, query: { limit: '10' } }),
    query: pageQuery,
  },
  proposeReallocation: {
    allowed: { 'sponsor-officer': 'own' },
    request: (w) => ({
      params: { id: w.own.commitmentId },
      body: { moves: [{ from: w.own.village, to: w.own.sibling, amount: 1_000 }] },
    }),
    body: proposeReallocationBody,
  },
  approveReallocation: {
    allowed: { 'sponsor-approver': 'own' },
    request: (w) => ({ params: { id: w.own.commitmentId, reallocationId: w.own.reallocationId } }),
  },
  rejectReallocation: {
    allowed: { 'sponsor-approver': 'own' },
    request: (w) => ({
      params: { id: w.own.commitmentId, reallocationId: w.own.reallocationId },
      body: { reason: 'Desa tujuan belum siap' },
    }),
    body: rejectBody,
  },
  withdrawReallocation: {
    allowed: { 'sponsor-officer': 'own' },
    request: (w) => ({
      params: { id: w.own.commitmentId, reallocationId: w.own.withdrawable.reallocationId },
    }),
  },
  listReallocations: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { id: w.own.commitmentId }, query: { limit: '10' } }),
    query: pageQuery,
  },
  enroll: {
    allowed: { 'village-operator': 'own' },
    request: (w) => ({
      params: { code: w.own.village },
      body: { commitmentId: w.own.commitmentId, worker: { nik: w.nik() }, startPeriod: w.openPeriod },
    }),
    body: enrollBody,
  },
  fundingOptions: {
    allowed: { 'village-operator': 'own', auditor: 'any' },
    request: (w) => ({
      params: { code: w.own.village },
      body: { startPeriod: w.openPeriod, worker: { nik: w.nik(), segment: 'farmer' } },
    }),
    body: fundingOptionsBody,
  },
  importEnrollments: {
    allowed: { 'village-operator': 'own' },
    request: (w) => ({
      params: { code: w.own.village },
      body: { commitmentId: w.own.commitmentId, rows: [{ nik: w.nik(), startPeriod: w.openPeriod }] },
    }),
    body: importEnrollmentsRequest,
  },
  listVillageEnrollments: {
    allowed: REPORT_READERS,
    // A sponsor names its commitment: it reads the enrollments it pays for, not another sponsor's.
    request: (w, role) => ({
      params: { code: w.own.village },
      query: role.startsWith('sponsor-')
        ? { limit: '10', commitmentId: w.own.commitmentId }
        : ({ limit: '10' } as Record<string, string>),
    }),
    query: villageEnrollmentsQuery,
  },
  terminateEnrollment: {
    allowed: { 'village-operator': 'own' },
    request: (w) => ({ params: { id: w.own.enrollmentId }, body: { fromPeriod: w.openPeriod } }),
    body: terminateBody,
  },
  listInvoices: {
    allowed: INVOICE_READERS,
    request: (w, role) => ({ query: sponsorOrVillage(w, role, 'sponsorId', 'villageCode') }),
    query: invoiceQuery,
  },
  getImport: {
    allowed: { 'village-operator': 'own' },
    request: (w) => ({ params: { id: w.own.importId }, query: { limit: '10' } }),
  },
  getInvoice: {
    allowed: INVOICE_READERS,
    request: (w) => ({ params: { id: w.own.invoiceId } }),
  },
  rollPeriod: {
    allowed: { admin: 'any' },
    // The world's own period, already rolled: rolling it again changes nothing.
    request: (w) => ({ params: { period: w.own.rolled } }),
  },
  stuckOperations: {
    allowed: { admin: 'any' },
    request: () => ({ query: { olderThanMinutes: '60' } }),
    query: stuckQuery,
  },
  redriveDeadLetters: {
    allowed: { admin: 'any' },
    // A queue the world leaves no dead letters in: redriving it changes nothing.
    request: () => ({ body: { queue: 'billing-inbox' } }),
    body: redriveBody,
  },
  coverageReport: {
    allowed: { ...REPORT_READERS, 'regional-office': 'own' },
    request: (w, role) => ({
      query:
        role === 'regional-office'
          ? { region: w.own.village.slice(0, 5) }
          : sponsorOrVillage(w, role, 'sponsorId', 'region'),
    }),
    query: coverageQuery,
  },
  budgetReport: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ query: { commitmentId: w.own.commitmentId } }),
    query: budgetQuery,
  },
  setTarget: {
    allowed: { admin: 'any', 'sponsor-officer': 'own' },
    request: (w) => ({
      params: { code: w.own.village.slice(0, 5), fiscalYear: String(w.year) },
      body: { percent: '50' },
    }),
    body: setTargetBody,
  },
  getTarget: {
    allowed: { ...SPONSOR_READERS, 'regional-office': 'own' },
    request: (w) => ({ params: { code: w.own.village.slice(0, 5), fiscalYear: String(w.year) } }),
  },
  addListMembers: {
    allowed: { admin: 'any', 'sponsor-officer': 'own' },
    request: (w) => ({
      params: { sponsorId: w.own.sponsorId, list: 'p3ke' },
      body: { niks: [w.nik()] },
    }),
    body: listMembersBody,
  },
  removeListMembers: {
    allowed: { admin: 'any', 'sponsor-officer': 'own' },
    // A fresh NIK, never put on the list: taking it off changes nothing for the other fixtures.
    request: (w) => ({
      params: { sponsorId: w.own.sponsorId, list: 'p3ke' },
      body: { niks: [w.nik()] },
    }),
    body: listMembersBody,
  },
  getList: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { sponsorId: w.own.sponsorId, list: 'p3ke' } }),
  },
  planReport: {
    allowed: { ...SPONSOR_READERS, 'regional-office': 'own' },
    request: (w, role) => ({
      query: {
        region: w.own.village.slice(0, 5),
        targetWorkers: '100',
        ...(role !== 'regional-office' && { sponsorId: w.own.sponsorId }),
      },
    }),
    query: planQuery,
  },
  reportWorkers: {
    allowed: REPORT_READERS,
    request: (w) => ({ query: { commitmentId: w.own.commitmentId, villageCode: w.own.village } }),
    query: reportWorkersQuery,
  },
  createPartner: {
    allowed: { admin: 'any' },
    request: () => ({
      body: { name: 'Agen Perisai Sarolangun', kind: 'agent', areaCode: '15.03', feeRateBasisPoints: 750 },
    }),
    body: createPartnerBody,
  },
  listPartners: {
    allowed: { admin: 'any', auditor: 'any' },
    request: () => ({ query: { area: '15', limit: '10' } }),
    query: partnersQuery,
  },
  getPartner: {
    allowed: { admin: 'any', auditor: 'any', collector: 'own' },
    request: (w) => ({ params: { partnerId: w.own.partnerId } }),
  },
  recordDeposits: {
    allowed: { collector: 'own' },
    request: (w) => {
      const nik = w.nik();
      return {
        params: { partnerId: w.own.partnerId },
        body: {
          deposits: [{ receiptNumber: `R-${nik}`, nik, amount: 1_000, depositedAt: `${w.year}-03-02` }],
        },
      };
    },
    body: recordDepositsBody,
  },
  lookupBalance: {
    allowed: { admin: 'any', collector: 'own' },
    request: (w) => ({ params: { partnerId: w.own.partnerId }, body: { nik: w.nik() } }),
    body: balanceLookupBody,
  },
  refund: {
    allowed: { admin: 'any', collector: 'own' },
    // A worker with no balance: the allowed are refused by the database (409), the others by their role.
    request: (w) => {
      const nik = w.nik();
      return {
        params: { partnerId: w.own.partnerId },
        body: { receiptNumber: `RF-${nik}`, nik, amount: 1_000, reason: 'Pindah domisili' },
      };
    },
    body: refundBody,
  },
  partnerStatement: {
    allowed: { admin: 'any', auditor: 'any', collector: 'own' },
    request: (w) => ({ params: { partnerId: w.own.partnerId, period: `${w.year}-03` } }),
  },
  registerContributor: {
    allowed: { admin: 'any', collector: 'own' },
    // A JHT add-on in the own partner's area 15.04, starting in a month no test rolls: no roll of a later test
    // has months of these accounts to catch up.
    request: (w) => ({
      params: { partnerId: w.own.partnerId },
      body: { nik: w.nik(), villageCode: '15.04.01.2003', programs: ['JHT'], startPeriod: '2099-12' },
    }),
    body: registerContributorBody,
  },
  lookupContributor: {
    allowed: { admin: 'any', collector: 'own' },
    request: (w) => ({ params: { partnerId: w.own.partnerId }, body: { nik: w.nik() } }),
    body: balanceLookupBody,
  },
  getRemittance: {
    allowed: { admin: 'any', auditor: 'any', billing: 'any', collector: 'own' },
    request: (w) => ({ params: { partnerId: w.own.partnerId, period: `${w.year}-03` } }),
  },
  createIncentive: {
    allowed: { admin: 'any', 'sponsor-officer': 'own' },
    request: (w) => ({ body: incentiveBody(w.own.commitmentId, w.own.village, w.year) }),
    body: createIncentiveBody,
  },
  listSponsorIncentives: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { id: w.own.sponsorId } }),
  },
  getIncentive: {
    allowed: SPONSOR_READERS,
    request: (w) => ({ params: { id: w.own.incentiveId } }),
  },
  evaluateIncentive: {
    allowed: { admin: 'any' },
    request: (w) => ({ params: { id: w.own.incentiveId } }),
  },
};

/** An incentive scheme: a village at half its target by May earns Rp 1.000. */
const incentiveBody = (commitmentId: string, village: string, year: number) => ({
  commitmentId,
  name: 'Insentif desa',
  period: `${year}-05`,
  regions: [village],
  threshold: '50',
  award: { kind: 'money', amount: 1_000 },
});

/** The fixture of a route; fails the test that asks when the route has none. */
export const fixtureOf = (name: RouteName): RouteFixture => {
  const fixture = routeFixtures[name];
  if (!fixture) throw new Error(`route ${name} has no fixture in test/support/route-fixtures.ts: add one`);
  return fixture;
};

/** Whether `role` in `scope` may call a route with this fixture. */
export const isAllowed = (fixture: RouteFixture, role: Role, scope: Scope): boolean => {
  const rule = fixture.allowed[role];
  return rule === 'any' || (rule === 'own' && scope === 'own');
};

/** The concrete path of a route for path parameters (each URL-encoded). */
export const pathOf = (name: RouteName, params: Readonly<Record<string, string>> = {}): string =>
  apiRoutes[name].path.replace(/\{(\w+)\}/g, (_, parameter: string) => {
    const value = params[parameter];
    if (value === undefined) throw new Error(`route ${name} needs path parameter ${parameter}`);
    return encodeURIComponent(value);
  });

/** Sends a fixture's request (or a variant of it) as `who`, with any extra headers. */
export const send = (
  who: Caller,
  name: RouteName,
  request: RouteRequest,
  headers: Record<string, string> = {},
): Promise<Answer> => {
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  const path = `${pathOf(name, request.params)}${query}`;
  if (request.csv !== undefined) {
    return who.send(apiRoutes[name].method, path, {
      body: request.csv,
      headers: { 'content-type': 'text/csv', ...headers },
    });
  }
  return who.send(apiRoutes[name].method, path, {
    ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
    headers,
  });
};

/** The subject of the caller of `role` in `scope`: the withdrawable draft of the world is that officer's. */
const subOf = (year: number, role: Role, scope: Scope) => `${year}-${role}-${scope}`;

/** A caller of `role` holding the scope of the world's own or foreign side (a sponsor and one village). */
export const callerIn = (
  stack: ProvidedLocalStack,
  world: World,
  role: Role,
  scope: Scope,
): Promise<Caller> => {
  const side = scope === 'own' ? world.own : world.foreign;
  return caller(stack, {
    roles: [role],
    sponsorId: side.sponsorId,
    villageCodes: [side.village],
    partnerId: side.partnerId,
    // A BPJS regional office over the own side's regency, or over another province.
    regionCodes: [scope === 'own' ? world.own.village.slice(0, 5) : '16'],
    sub: subOf(world.year, role, scope),
  });
};

/** Every role's caller in both scopes. */
export const everyCaller = async (stack: ProvidedLocalStack, world: World) => {
  const callers = new Map<`${Role}/${Scope}`, Caller>();
  for (const role of ROLES) {
    for (const scope of ['own', 'foreign'] as const) {
      callers.set(`${role}/${scope}`, await callerIn(stack, world, role, scope));
    }
  }
  return (role: Role, scope: Scope): Caller => {
    const found = callers.get(`${role}/${scope}`);
    if (!found) throw new Error(`no caller for ${role} in ${scope} scope`);
    return found;
  };
};

export interface WorldOptions {
  /** A fiscal year no other test file rolls or uses, so the world's roll touches nothing else. */
  readonly year: number;
  /** Six-digit district for the world's NIKs, unique to the test file. */
  readonly district: string;
  /** Three village codes unique to the test file: own, own sibling, foreign. */
  readonly villages: readonly [string, string, string];
}

/**
 * Builds a world: two sponsors with an active commitment each, a draft and a proposed reallocation of the own
 * one, a worker of the own village covered from February, and that village's February invoice (the period
 * rolled through the API and the local queues, as the monthly schedule would).
 */
export const buildWorld = async (
  stack: ProvidedLocalStack,
  { year, district, villages: [village, sibling, foreignVillage] }: WorldOptions,
): Promise<World> => {
  let serial = 0;
  const nik = () => nikIn(district, ++serial);
  const rolled = `${year}-02`;
  const [ownStaff, foreignStaff] = await Promise.all([
    sponsorWithStaff(stack),
    sponsorWithStaff(stack, { name: 'Kabupaten Sarolangun', kind: 'regency', regionCode: '15.03' }),
  ]);
  const [commitmentId, foreignCommitmentId] = await Promise.all([
    activeCommitment(ownStaff, { villages: [village, sibling], fiscalYear: year }),
    activeCommitment(foreignStaff, { villages: [foreignVillage], fiscalYear: year }),
  ]);
  const draft = await ownStaff.officer.post(
    '/v1/commitments',
    commitmentDraft(ownStaff.sponsorId, { villages: [village], fiscalYear: year }),
  );
  const reallocation = await ownStaff.officer.post(`/v1/commitments/${commitmentId}/reallocations`, {
    moves: [{ from: village, to: sibling, amount: 1_000 }],
  });
  const ownOfficer = await caller(stack, {
    roles: ['sponsor-officer'],
    sponsorId: ownStaff.sponsorId,
    sub: subOf(year, 'sponsor-officer', 'own'),
  });
  const withdrawableDraft = await ownOfficer.post(
    '/v1/commitments',
    commitmentDraft(ownStaff.sponsorId, { villages: [village], fiscalYear: year }),
  );
  const withdrawableReallocation = await ownOfficer.post(`/v1/commitments/${commitmentId}/reallocations`, {
    moves: [{ from: sibling, to: village, amount: 1_000 }],
  });
  expect([withdrawableDraft.status, withdrawableReallocation.status]).toEqual([201, 201]);
  const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
  const enrollment = await operator.post(`/v1/villages/${village}/enrollments`, {
    commitmentId,
    worker: { nik: nik() },
    startPeriod: rolled,
  });
  const incentive = await ownStaff.officer.post('/v1/incentives', incentiveBody(commitmentId, village, year));
  expect(incentive.status).toBe(201);
  const imported = await operator.post(`/v1/villages/${village}/enrollments/import`, {
    commitmentId,
    rows: [{ nik: '0' }],
  });
  expect([draft.status, reallocation.status, enrollment.status, imported.status]).toEqual([
    201, 201, 201, 202,
  ]);

  const admin = await caller(stack, { roles: ['admin'] });
  const auditor = await caller(stack, { roles: ['auditor'] });
  const partners = await Promise.all(
    ['15.04', '15.03'].map((areaCode) =>
      admin.post('/v1/partners', {
        name: `Pasar ${areaCode}`,
        kind: 'market-manager',
        areaCode,
        feeRateBasisPoints: 750,
      }),
    ),
  );
  expect(partners.map((p) => p.status)).toEqual([201, 201]);
  expect((await admin.post(`/v1/periods/${rolled}/roll`, {})).status).toBeLessThan(300);
  const invoiceId = await eventually(
    async () => {
      const { body } = await auditor.get(`/v1/invoices?villageCode=${village}&period=${rolled}`);
      return body?.items?.[0]?.id as string | undefined;
    },
    { timeoutMs: 60_000, what: `the ${rolled} invoice of ${village}` },
  );
  return {
    year,
    own: {
      sponsorId: ownStaff.sponsorId,
      commitmentId,
      village,
      sibling,
      draftId: draft.body.id,
      reallocationId: reallocation.body.id,
      withdrawable: { draftId: withdrawableDraft.body.id, reallocationId: withdrawableReallocation.body.id },
      enrollmentId: enrollment.body.id,
      importId: imported.body.id,
      invoiceId,
      rolled,
      incentiveId: incentive.body.id,
      partnerId: partners[0]?.body.id,
    },
    foreign: {
      sponsorId: foreignStaff.sponsorId,
      commitmentId: foreignCommitmentId,
      village: foreignVillage,
      partnerId: partners[1]?.body.id,
    },
    nik,
    openPeriod: `${year}-06`,
  };
};
