import { describe, expect, it } from 'vitest';
import { caller, jambiNik } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import { activeCommitment, sponsorWithStaff } from '../support/scenario.js';

const VILLAGE_A = '15.71.01.1001';
const VILLAGE_B = '15.71.01.1002';

describe('enrollment under concurrency (through HTTP, on DynamoDB Local)', () => {
  const stack = localStack();

  it('lets exactly 49 of 200 concurrent enrollments into a quota of 49 full-year workers', async () => {
    // Prepare
    const staff = await sponsorWithStaff(stack);
    const commitmentId = await activeCommitment(staff, { villages: [VILLAGE_A] });
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [VILLAGE_A] });

    // Act: 200 different workers at once, all from January.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        operator.post(`/v1/villages/${VILLAGE_A}/enrollments`, {
          commitmentId,
          worker: { nik: jambiNik(i + 1) },
          startPeriod: '2027-01',
        }),
      ),
    );

    // Assess
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(49);
    expect(statuses.filter((s) => s === 409)).toHaveLength(151);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'quota-exhausted')).toBe(
      true,
    );
    const { body: commitment } = await staff.officer.get(`/v1/commitments/${commitmentId}`);
    expect(commitment.totals).toMatchObject({
      budget: 10_000_000,
      reserved: 49 * 201_600,
      remaining: 10_000_000 - 49 * 201_600,
      enrolledWorkers: 49,
    });
  });

  it('covers a worker enrolled at once in two villages of two sponsors exactly once', async () => {
    // Prepare
    const first = await activeCommitment(await sponsorWithStaff(stack), { villages: [VILLAGE_B] });
    const second = await activeCommitment(await sponsorWithStaff(stack), { villages: ['15.71.01.1003'] });
    const operatorB = await caller(stack, { roles: ['village-operator'], villageCodes: [VILLAGE_B] });
    const operatorC = await caller(stack, { roles: ['village-operator'], villageCodes: ['15.71.01.1003'] });
    const nik = jambiNik(7_777, 12);

    // Act
    const answers = await Promise.all([
      operatorB.post(`/v1/villages/${VILLAGE_B}/enrollments`, {
        commitmentId: first,
        worker: { nik },
        startPeriod: '2027-03',
      }),
      operatorC.post('/v1/villages/15.71.01.1003/enrollments', {
        commitmentId: second,
        worker: { nik },
        startPeriod: '2027-05',
      }),
    ]);

    // Assess
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe('already-covered');
    expect(JSON.stringify(answers)).not.toContain(nik);
  });

  it('answers a retried request with the same Idempotency-Key with the first answer, moving no money twice', async () => {
    // Prepare
    const village = '15.71.01.1004';
    const staff = await sponsorWithStaff(stack);
    const commitmentId = await activeCommitment(staff, { villages: [village] });
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
    const request = { commitmentId, worker: { nik: jambiNik(4_242) }, startPeriod: '2027-07' };

    // Act
    const first = await operator.post(`/v1/villages/${village}/enrollments`, request, {
      'idempotency-key': 'k-1',
    });
    const retry = await operator.post(`/v1/villages/${village}/enrollments`, request, {
      'idempotency-key': 'k-1',
    });
    const changed = await operator.post(
      `/v1/villages/${village}/enrollments`,
      { ...request, startPeriod: '2027-08' },
      { 'idempotency-key': 'k-1' },
    );

    // Assess
    expect(first.status).toBe(201);
    // The answer, not the transport: the headers carry the second the response left (Date), which a retry
    // in the next second does not share.
    const answered = ({ status, contentType, body }: typeof first) => ({ status, contentType, body });
    expect(answered(retry)).toEqual(answered(first));
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('idempotency-key-reused');
    const { body: commitment } = await staff.officer.get(`/v1/commitments/${commitmentId}`);
    expect(commitment.totals.reserved).toBe(6 * 16_800);
    expect(commitment.totals.enrolledWorkers).toBe(1);
  });
});
