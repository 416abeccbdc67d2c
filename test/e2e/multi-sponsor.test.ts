/**
 * Several sponsors over one village through the local stack (issue 19, Must-show 1): Jambi province, Kabupaten
 * Bungo and the village fund of Pedukun all fund Pedukun in 2049, with a target set for the regency. An
 * enrollment that names no commitment lands on the one the priority names (village fund, then regency, then
 * province, by sponsor kind); a worker outside a commitment's rules is refused by it and taken by the next; a
 * quota used up moves the next worker on; no NIK is covered twice; and the regency's coverage report over
 * every sponsor equals the sum of the three commitments. In 2050: a stated priority, a village fund of a P3KE
 * list, and ten workers racing for two seats.
 */
import { villagesOf } from '@lindung/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller } from '../support/api-client.js';
import { eventually, localStack } from '../support/local-stack.js';
import {
  commitmentDraft,
  type SponsorDetails,
  type SponsorStaff,
  sponsorWithStaff,
} from '../support/scenario.js';

const stack = localStack();
const YEAR = 2049;
const START = `${YEAR}-01`;
/** A full year of JKK + JKM on the lowest income: what one worker reserves from January. */
const YEAR_PREMIUM = 201_600;
const REGENCY = '15.08';
const [PEDUKUN = '', LUBUK_NIUR = '', NO_FUNDING = '', TANAH_TUMBUH = ''] = villagesOf(REGENCY).map(
  (v) => v.code as string,
);

/** A NIK of Bungo (15.08.01), serial `serial` in a range no other test uses, born on 1 January of `born`. */
const nik = (serial: number, born: 1990 | 2010) =>
  `15080101${born === 1990 ? '0190' : '0110'}${String(8_000 + serial).padStart(4, '0')}`;
/** 39 in 2049: within every commitment's ages. */
const young = (serial: number) => nik(serial, 2010);
/** 59 in 2049: within the BPU rule (18–65), above the regency's 50. */
const older = (serial: number) => nik(serial, 1990);

const PROVINCE: SponsorDetails = { name: 'Provinsi Jambi', kind: 'province', regionCode: '15' };
const BUNGO: SponsorDetails = { name: 'Kabupaten Bungo', kind: 'regency', regionCode: REGENCY };
const VILLAGE_FUND: SponsorDetails = { name: 'Dana Desa Pedukun', kind: 'village', regionCode: PEDUKUN };

/** Drafts and approves a commitment of `fiscalYear` over `villages`, `workers` full-year workers a village. */
const fund = async (
  staff: SponsorStaff,
  villages: string[],
  workers: number,
  extra: Record<string, unknown> = {},
  fiscalYear = YEAR,
) => {
  const draft = await staff.officer.post('/v1/commitments', {
    ...commitmentDraft(staff.sponsorId, { villages, perVillage: workers * YEAR_PREMIUM, fiscalYear }),
    ...extra,
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const approved = await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return approved.body as { id: string; priority?: number };
};

/** A province and the village fund of `village`, each with its staff. */
const provinceAndVillageFund = (village: string) =>
  Promise.all([
    sponsorWithStaff(stack, PROVINCE),
    sponsorWithStaff(stack, { ...VILLAGE_FUND, regionCode: village }),
  ]);

interface World {
  readonly operator: Caller;
  readonly auditor: Caller;
  /** The commitments by who pays. */
  readonly villageFund: string;
  readonly regency: string;
  readonly province: string;
}

let world: World;

beforeAll(async () => {
  const [province, bungo, villageFund] = await Promise.all(
    [PROVINCE, BUNGO, VILLAGE_FUND].map((details) => sponsorWithStaff(stack, details)),
  );
  if (!province || !bungo || !villageFund) throw new Error('three sponsors');
  // Approved in the reverse of the priority order: approval time must not decide over the priority.
  const provinceCommitment = await fund(province, [PEDUKUN], 10);
  const regencyCommitment = await fund(bungo, [PEDUKUN, LUBUK_NIUR], 2, { eligibility: { maxAge: 50 } });
  const villageCommitment = await fund(villageFund, [PEDUKUN], 2, {
    eligibility: { segments: ['village-official', 'rt-rw'] },
  });
  const admin = await caller(stack, { roles: ['admin'] });
  const target = await admin.send('PUT', `/v1/regions/${REGENCY}/targets/${YEAR}`, {
    body: JSON.stringify({ workers: 40 }),
  });
  expect(target.status, JSON.stringify(target.body)).toBe(200);
  world = {
    operator: await caller(stack, {
      roles: ['village-operator'],
      villageCodes: [PEDUKUN, LUBUK_NIUR, NO_FUNDING, TANAH_TUMBUH],
    }),
    auditor: await caller(stack, { roles: ['auditor'] }),
    villageFund: villageCommitment.id,
    regency: regencyCommitment.id,
    province: provinceCommitment.id,
  };
});

/** Enrolls a worker without naming a commitment. */
const enroll = (village: string, workerNik: string, segment?: string, headers?: Record<string, string>) =>
  world.operator.post(
    `/v1/villages/${village}/enrollments`,
    { worker: { nik: workerNik, ...(segment && { segment }) }, startPeriod: START },
    headers,
  );

/** What the funding options say of a worker (or, without one, of the quotas alone). */
const options = (village: string, worker?: { nik: string; segment?: string }) =>
  world.operator.post(`/v1/villages/${village}/funding-options`, {
    startPeriod: START,
    ...(worker && { worker }),
  });

describe('several sponsors over one village', () => {
  it('shows the operator the commitments in priority order, which take a worker and why', async () => {
    // Act
    const official = await options(PEDUKUN, { nik: young(1), segment: 'village-official' });
    const olderFarmer = await options(PEDUKUN, { nik: older(2), segment: 'farmer' });
    const quotasOnly = await options(PEDUKUN);

    // Assess
    expect(official.status, JSON.stringify(official.body)).toBe(200);
    const { villageFund, regency, province } = world;
    expect(official.body.options.map((o: { commitmentId: string }) => o.commitmentId)).toEqual([
      villageFund,
      regency,
      province,
    ]);
    expect(official.body.options.map((o: { sponsor: { kind: string } }) => o.sponsor.kind)).toEqual([
      'village',
      'regency',
      'province',
    ]);
    expect(official.body.options[0]).toMatchObject({
      priority: 100,
      prioritySource: 'sponsor-kind',
      sponsor: { name: 'Dana Desa Pedukun' },
      available: 2 * YEAR_PREMIUM,
      cost: YEAR_PREMIUM,
      eligibility: { segments: ['village-official', 'rt-rw'] },
      verdict: 'takes',
    });
    expect(official.body).toMatchObject({ chosen: villageFund, worker: { age: 39 } });
    expect(official.body.worker.nikMasked).not.toContain(young(1).slice(6));
    expect(olderFarmer.body.chosen).toBe(province);
    expect(olderFarmer.body.options.map((o: { verdict: string }) => o.verdict)).toEqual([
      'not-eligible',
      'not-eligible',
      'takes',
    ]);
    expect(olderFarmer.body.options[0].details).toMatchObject({ rule: 'segment', segment: 'farmer' });
    expect(olderFarmer.body.options[1].details).toMatchObject({ rule: 'age', age: 59, maxAge: 50 });
    expect(quotasOnly.body).toMatchObject({ chosen: villageFund });
    expect(quotasOnly.body.worker).toBeUndefined();
  });

  it('enrolls by priority, passes over a commitment whose rules or quota refuse, and never covers a NIK twice', async () => {
    // Act: in the order an operator would meet them
    const rtHead = await enroll(PEDUKUN, young(11), 'rt-rw');
    const farmer = await enroll(PEDUKUN, young(12), 'farmer');
    const olderFarmer = await enroll(PEDUKUN, older(13), 'farmer');
    const official = await enroll(PEDUKUN, young(14), 'village-official');
    const villageFull = await enroll(PEDUKUN, young(15), 'rt-rw');
    const bothFull = await enroll(PEDUKUN, young(16), 'village-official');
    const again = await enroll(PEDUKUN, young(11), 'rt-rw');
    const againNamed = await world.operator.post(`/v1/villages/${PEDUKUN}/enrollments`, {
      commitmentId: world.province,
      worker: { nik: young(12) },
      startPeriod: START,
    });
    const otherVillage = await enroll(LUBUK_NIUR, young(17), 'fisher');
    const keyed = { 'idempotency-key': 'multi-sponsor-replay' };
    const first = await enroll(PEDUKUN, young(18), 'farmer', keyed);
    const replay = await enroll(PEDUKUN, young(18), 'farmer', keyed);

    // Assess
    const { villageFund, regency, province } = world;
    const landed = [rtHead, farmer, olderFarmer, official, villageFull, bothFull, otherVillage, first];
    for (const answer of landed) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(landed.map((a) => a.body.commitmentId)).toEqual([
      villageFund, // an RT head: the village fund pays first
      regency, // a farmer: outside the village fund's segments
      province, // a farmer of 59: outside the village fund's segments and the regency's ages
      villageFund, // the village fund's second and last seat
      regency, // the village fund is full
      province, // the village fund and the regency's Pedukun quota are full
      regency, // Lubuk Niur has no village fund and no province quota
      province,
    ]);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    for (const twice of [again, againNamed]) {
      expect(twice.status, JSON.stringify(twice.body)).toBe(409);
      expect(twice.body.code).toBe('already-covered');
    }
    const pedukun = await world.operator.get(`/v1/villages/${PEDUKUN}/enrollments?limit=100`);
    expect(pedukun.body.items).toHaveLength(7);
  });

  it('says per commitment why no commitment takes a worker', async () => {
    // Act
    const tooOld = await enroll(LUBUK_NIUR, older(21), 'farmer');
    const nobody = await enroll(NO_FUNDING, young(22), 'farmer');

    // Assess
    expect(tooOld.status).toBe(422);
    expect(tooOld.body.code).toBe('not-eligible');
    expect(tooOld.body.details.options).toEqual([
      expect.objectContaining({ commitmentId: world.regency, verdict: 'not-eligible', priority: 200 }),
    ]);
    expect(nobody.status).toBe(409);
    expect(nobody.body.code).toBe('quota-exhausted');
    expect(nobody.body.details).toMatchObject({ villageCode: NO_FUNDING, fiscalYear: YEAR, options: [] });
  });

  it('reports for the regency, over every sponsor, the sum of the three commitments', async () => {
    // Prepare: what the three commitments report each
    const budget = async (commitmentId: string) =>
      (await world.auditor.get(`/v1/reports/budget?commitmentId=${commitmentId}`)).body as {
        covered: number;
        reserved: number;
      };
    const path = `/v1/reports/coverage?region=${REGENCY}&fiscalYear=${YEAR}`;

    // Act: once the stream has projected every enrollment of the tests above, into every rollup
    const { report, parts } = await eventually(
      async () => {
        const answer = await world.auditor.get(path);
        const three = await Promise.all([world.villageFund, world.regency, world.province].map(budget));
        const done = answer.body.region?.covered === 8 && three.every((p, i) => p.covered === [2, 3, 3][i]);
        return done ? { report: answer, parts: three } : undefined;
      },
      { what: 'eight workers covered in the regency and in its three commitments' },
    );

    // Assess
    expect(parts.map((p) => p.covered)).toEqual([2, 3, 3]);
    expect(report.body.region.covered).toBe(parts.reduce((sum, p) => sum + p.covered, 0));
    expect(report.body.region.reserved).toBe(parts.reduce((sum, p) => sum + p.reserved, 0));
    expect(report.body.region.reserved).toBe(8 * YEAR_PREMIUM);
    expect(report.body.region.target).toBe(40);
    const commitments = report.body.commitments.map((c: { commitmentId: string }) => c.commitmentId);
    expect(commitments).toEqual(expect.arrayContaining([world.villageFund, world.regency, world.province]));
  });
});

describe('a priority a commitment states', () => {
  it('puts a province that states priority 50 before the village fund', async () => {
    // Prepare: another year over Lubuk Niur, so as not to touch the world above
    const year = YEAR + 1;
    const [province, villageFund] = await provinceAndVillageFund(LUBUK_NIUR);
    // Approved in the order of the sponsor kinds' priority, so that only the stated one can reverse it
    const byKind = await fund(villageFund, [LUBUK_NIUR], 10, {}, year);
    const stated = await fund(province, [LUBUK_NIUR], 10, { priority: 50 }, year);

    // Act
    const enrolled = await world.operator.post(`/v1/villages/${LUBUK_NIUR}/enrollments`, {
      worker: { nik: young(31) },
      startPeriod: `${year}-03`,
    });
    const shown = await world.operator.post(`/v1/villages/${LUBUK_NIUR}/funding-options`, {
      startPeriod: `${year}-03`,
    });

    // Assess
    expect(stated.priority).toBe(50);
    expect(byKind.priority).toBeUndefined();
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    expect(enrolled.body.commitmentId).toBe(stated.id);
    expect(
      shown.body.options.map((o: { priority: number; prioritySource: string }) => [
        o.priority,
        o.prioritySource,
      ]),
    ).toEqual([
      [50, 'stated'],
      [100, 'sponsor-kind'],
    ]);
  });

  it('refuses a priority outside 1 to 999 when the commitment is drafted', async () => {
    // Prepare
    const staff = await sponsorWithStaff(stack, BUNGO);

    // Act
    const draft = await staff.officer.post('/v1/commitments', {
      ...commitmentDraft(staff.sponsorId, { villages: [LUBUK_NIUR], fiscalYear: YEAR + 1 }),
      priority: 0,
    });

    // Assess
    expect(draft.status).toBe(422);
    expect(draft.body.code).toBe('validation-failed');
  });
});

describe('a village fund for the workers of its list', () => {
  it('takes the workers on its P3KE list and leaves the others to the regency', async () => {
    // Prepare: in 2050, a village fund of the P3KE list before the regency, over the village without 2049 funding
    const year = YEAR + 1;
    const [villageFund, bungo] = await Promise.all([
      sponsorWithStaff(stack, { ...VILLAGE_FUND, regionCode: NO_FUNDING }),
      sponsorWithStaff(stack, BUNGO),
    ]);
    const listed = await fund(villageFund, [NO_FUNDING], 5, { eligibility: { list: 'p3ke' } }, year);
    const regency = await fund(bungo, [NO_FUNDING], 5, {}, year);
    const list = `/v1/sponsors/${villageFund.sponsorId}/lists/p3ke/members`;
    expect((await villageFund.officer.post(list, { niks: [young(61)] })).status).toBe(200);
    const enroll = (workerNik: string) =>
      world.operator.post(`/v1/villages/${NO_FUNDING}/enrollments`, {
        worker: { nik: workerNik },
        startPeriod: `${year}-01`,
      });

    // Act
    const onList = await enroll(young(61));
    const offList = await enroll(young(62));

    // Assess
    expect(onList.status, JSON.stringify(onList.body)).toBe(201);
    expect(onList.body.commitmentId).toBe(listed.id);
    expect(offList.status, JSON.stringify(offList.body)).toBe(201);
    expect(offList.body.commitmentId).toBe(regency.id);
  });
});

describe('workers enrolled by priority at the same moment', () => {
  it('moves the workers whose transaction found the first quota used up on to the next commitment', async () => {
    // Prepare: a village fund of two seats before a province of twenty, in another year and village
    const year = YEAR + 1;
    const [province, villageFund] = await provinceAndVillageFund(TANAH_TUMBUH);
    const provinceCommitment = await fund(province, [TANAH_TUMBUH], 20, {}, year);
    const villageCommitment = await fund(villageFund, [TANAH_TUMBUH], 2, {}, year);

    // Act: ten workers at once, each of whom the read before the transaction finds the village fund open for
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        world.operator.post(`/v1/villages/${TANAH_TUMBUH}/enrollments`, {
          worker: { nik: young(41 + i) },
          startPeriod: `${year}-01`,
        }),
      ),
    );

    // Assess
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const payers = answers.map((a) => a.body.commitmentId);
    expect(payers.filter((id) => id === villageCommitment.id)).toHaveLength(2);
    expect(payers.filter((id) => id === provinceCommitment.id)).toHaveLength(8);
    const quotas = await world.operator.post(`/v1/villages/${TANAH_TUMBUH}/funding-options`, {
      startPeriod: `${year}-02`,
    });
    expect(quotas.body.options.map((o: { available: number }) => o.available)).toEqual([
      0,
      20 * YEAR_PREMIUM - 8 * YEAR_PREMIUM,
    ]);
  });
});
