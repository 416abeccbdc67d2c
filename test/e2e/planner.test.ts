/**
 * The planner's question through the local stack (issue 19): South Sumatra, 37 % covered, must reach 50 % of
 * its 2,8 million workers next year — 325.000 more workers at Rp 201.600 each, Rp 65.520.000.000 a year —
 * split over its regencies by their vulnerable workers (937.000 in all, imported as village targets). Asked
 * of the API and of `lindung plan`.
 */
import { type CliIo, EXIT_CODES, run } from '@lindung/cli';
import { childrenOf, villagesOf } from '@lindung/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller } from '../support/api-client.js';
import { eventually, localStack } from '../support/local-stack.js';
import { reportsOf } from '../support/report-world.js';

const stack = localStack();
const VULNERABLE = 937_000;
const regencies = childrenOf('16').map((r) => r.code as string);
/** Each regency's vulnerable workers (on its first village): uneven, 937.000 in all. */
const vulnerable = new Map(
  regencies.map((code, i) => {
    const weight = i + 1;
    const total = (regencies.length * (regencies.length + 1)) / 2;
    const share = Math.floor((VULNERABLE * weight) / total);
    return [code, i === regencies.length - 1 ? 0 : share] as const;
  }),
);
const last = regencies.at(-1) ?? '';
vulnerable.set(last, VULNERABLE - [...vulnerable.values()].reduce((sum, n) => sum + n, 0));

const southSumatra = {
  region: '16',
  fiscalYear: '2027',
  targetPercent: '50',
  workers: '2800000',
  covered: '1075000',
};

/** A PUT with a JSON body. */
const put = (who: Caller, path: string, body: unknown) =>
  who.send('PUT', path, { body: JSON.stringify(body) });

/** Runs `lindung` in this process against the local stack. */
const lindung = async (args: readonly string[]) => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    fetch,
  };
  const code = await run([...args, '--url', stack.httpUrl], io);
  return { code, stdout, stderr };
};

describe('the coverage planner', () => {
  beforeAll(async () => {
    const firstVillages = Object.fromEntries(
      regencies.map((code) => [villagesOf(code)[0]?.code ?? '', vulnerable.get(code) ?? 0]),
    );
    await reportsOf(stack).putTargets(firstVillages);
  });

  it('prices 50 % of South Sumatra’s workers and splits the gap over its regencies by vulnerable workers', async () => {
    // Prepare
    const auditor = await caller(stack, { roles: ['auditor'], sub: 'bpjs-planner' });

    // Act
    const plan = await auditor.get(`/v1/reports/plan?${new URLSearchParams(southSumatra)}`);

    // Assess
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body).toMatchObject({
      fiscalYear: 2027,
      region: { code: '16', name: 'Sumatera Selatan', vulnerableWorkers: VULNERABLE },
      targetWorkers: 1_400_000,
      covered: 1_075_000,
      coveredFrom: 'query',
      gap: 325_000,
      costPerWorker: 201_600,
      cost: 65_520_000_000,
    });
    const split: { code: string; vulnerableWorkers: number; workers: number; cost: number }[] =
      plan.body.regions;
    expect(split.map((r) => r.code)).toEqual(regencies);
    expect(split.reduce((sum, r) => sum + r.workers, 0)).toBe(325_000);
    expect(split.reduce((sum, r) => sum + r.cost, 0)).toBe(65_520_000_000);
    for (const region of split) {
      expect(region.vulnerableWorkers).toBe(vulnerable.get(region.code));
      expect(Math.abs(region.workers - (325_000 * region.vulnerableWorkers) / VULNERABLE)).toBeLessThan(1);
      expect(region.cost).toBe(region.workers * 201_600);
    }
  });

  it('answers the same from `lindung plan`, in Indonesian numbers', async () => {
    // Act
    const planned = await lindung([
      'plan',
      '--region',
      '16',
      '--year',
      '2027',
      '--target',
      '50',
      '--workers',
      '2.800.000',
      '--covered',
      '1.075.000',
    ]);

    // Assess
    expect(planned.code, planned.stderr).toBe(EXIT_CODES.ok);
    expect(planned.stdout).toContain('target 50% of 2.800.000 workers = 1.400.000');
    expect(planned.stdout).toContain(
      '325.000 more workers at Rp 201.600 a year each (JKK + JKM) cost Rp 65.520.000.000 a year.',
    );
    expect(planned.stdout).toContain(`${last} `);
  });

  it('measures a region against the target set for its year, and its regencies against their vulnerable workers', async () => {
    // Prepare
    const admin = await caller(stack, { roles: ['admin'], sub: 'planner-admin' });
    const [first = '', second = ''] = regencies;

    // Act
    const set = await put(admin, '/v1/regions/16/targets/2027', { percent: '50' });
    const regency = await put(admin, `/v1/regions/${second}/targets/2027`, { workers: 1_000 });
    const report = await admin.get('/v1/reports/coverage?region=16&fiscalYear=2027');
    const otherYear = await admin.get('/v1/regions/16/targets/2028');

    // Assess
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({
      code: '16',
      fiscalYear: 2027,
      target: { percent: 50, setBy: 'planner-admin' },
      vulnerableWorkers: VULNERABLE,
      targetWorkers: 468_500,
    });
    expect(regency.status).toBe(200);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.region).toMatchObject({
      target: 468_500,
      vulnerableWorkers: VULNERABLE,
      targetSet: { percent: 50 },
      gap: 468_500,
      gapCost: 468_500 * 201_600,
    });
    const byCode = new Map(
      (report.body.children as { code: string; target: number; targetSet: unknown }[]).map((c) => [
        c.code,
        c,
      ]),
    );
    expect(byCode.get(first)).toMatchObject({ target: vulnerable.get(first), targetSet: null });
    expect(byCode.get(second)).toMatchObject({ target: 1_000, targetSet: { workers: 1_000 } });
    expect(otherYear.body).toMatchObject({ target: null, targetWorkers: VULNERABLE });
  });

  it('lets a sponsor’s officer set targets within its own region only', async () => {
    // Prepare: an officer of Jambi (15).
    const admin = await caller(stack, { roles: ['admin'] });
    const sponsor = await admin.post('/v1/sponsors', {
      name: 'Provinsi Jambi',
      kind: 'province',
      regionCode: '15',
    });
    const officer = await caller(stack, { roles: ['sponsor-officer'], sponsorId: sponsor.body.id });

    // Act
    const own = await put(officer, '/v1/regions/15.01/targets/2027', { workers: 120 });
    const foreign = await put(officer, '/v1/regions/16/targets/2027', { workers: 1 });
    const unknown = await put(admin, '/v1/regions/99/targets/2027', { workers: 1 });
    const badShare = await put(admin, '/v1/regions/15/targets/2027', { percent: '120' });

    // Assess
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(foreign.status).toBe(403);
    expect(unknown.status).toBe(422);
    expect(badShare.status).toBe(422);
    expect((await admin.get('/v1/regions/16/targets/2027')).body.target).toMatchObject({ percent: 50 });
  });

  it('shows a BPJS regional office the regions it oversees, every sponsor side by side, and nothing else', async () => {
    // Prepare: South Sumatra's regency of Ogan Komering Ulu pays for its own officials; the office oversees 16.
    const admin = await caller(stack, { roles: ['admin'] });
    const regency = await admin.post('/v1/sponsors', {
      name: 'Kabupaten Ogan Komering Ulu',
      kind: 'regency',
      regionCode: '16.01',
    });
    const officer = await caller(stack, { roles: ['sponsor-officer'], sponsorId: regency.body.id });
    const approver = await caller(stack, { roles: ['sponsor-approver'], sponsorId: regency.body.id });
    const village = villagesOf('16.01')[0]?.code ?? '';
    const draft = await officer.post('/v1/commitments', {
      sponsorId: regency.body.id,
      fiscalYear: 2027,
      budget: { kind: 'fixed', amount: 10_000_000 },
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      allocation: { method: 'equal', villages: [village] },
    });
    expect((await approver.post(`/v1/commitments/${draft.body.id}/approve`, {})).status).toBe(200);
    const office = await caller(stack, {
      roles: ['regional-office'],
      regionCodes: ['16'],
      sub: 'bpjs-sumbagsel',
    });

    // Act
    const coverage = await eventually(
      async () => {
        const answer = await office.get('/v1/reports/coverage?fiscalYear=2027');
        return answer.body.commitments?.length > 0 ? answer : undefined;
      },
      { what: 'the regency’s commitment in the reports' },
    );
    const target = await office.get('/v1/regions/16/targets/2027');
    const plan = await office.get('/v1/reports/plan?region=16.01&fiscalYear=2027&targetWorkers=10');
    const elsewhere = await office.get('/v1/reports/coverage?region=15&fiscalYear=2027');
    const national = await office.get('/v1/reports/coverage?region=ID&fiscalYear=2027');
    const setting = await put(office, '/v1/regions/16/targets/2027', { workers: 1 });

    // Assess
    expect(coverage.body.region).toMatchObject({ code: '16', target: 468_500 });
    expect(coverage.body.commitments).toEqual([
      expect.objectContaining({ commitmentId: draft.body.id, sponsorName: 'Kabupaten Ogan Komering Ulu' }),
    ]);
    expect(target.status).toBe(200);
    expect(plan.status).toBe(200);
    expect([elsewhere.status, national.status, setting.status]).toEqual([403, 403, 403]);
  });

  it('sets and shows a target with `lindung targets`', async () => {
    // Act
    const set = await lindung([
      'targets',
      'set',
      '--region',
      '16.01',
      '--year',
      '2029',
      '--workers',
      '2.500',
    ]);
    const shown = await lindung(['targets', 'show', '--region', '16.01', '--year', '2029']);

    // Assess
    expect(set.code, set.stderr).toBe(EXIT_CODES.ok);
    expect(shown.stdout).toBe(set.stdout);
    expect(shown.stdout).toContain('fiscal year 2029: target 2.500 workers;');
  });

  it('says what is missing when a percentage comes without the workers it is a share of', async () => {
    // Prepare
    const auditor = await caller(stack, { roles: ['auditor'], sub: 'bpjs-planner' });

    // Act
    const plan = await auditor.get('/v1/reports/plan?region=16&targetPercent=50');
    const cli = await lindung(['plan', '--region', '16', '--target', '50']);

    // Assess
    expect(plan.status).toBe(422);
    expect(plan.body.detail ?? plan.body.title).toContain('workers');
    expect(cli.code).toBe(EXIT_CODES.usage);
    expect(cli.stderr).toContain('--target needs --workers');
  });
});
