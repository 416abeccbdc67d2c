/**
 * A commitment's eligibility rules through the local stack (issue 19): a regency that pays for its village
 * officials and RT/RW heads up to 45 takes a 37-year-old RT head, refuses a fisher, a worker with no segment
 * and a 50-year-old official with `not-eligible` naming the rule, and an import refuses the same rows alone.
 * A commitment limited to its sponsor's P3KE list takes the workers on it, and the list holds no NIK.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { caller, nikIn } from '../support/api-client.js';
import { importPath, importResults } from '../support/imports.js';
import { localClients, localStack } from '../support/local-stack.js';
import { commitmentDraft, type SponsorStaff, sponsorWithStaff } from '../support/scenario.js';

const stack = localStack();
const VILLAGE = '15.02.01.2001';
/** A NIK of Merangin born in 1990 (37 in 2027), serial `serial` in a range no other test uses. */
const worker = (serial: number) => nikIn('150201', 7_000 + serial);
/** A NIK of someone born on 1 January 1977 (50 in 2027) in Merangin. */
const fiftyYearOld = (serial: number) => `150201010177${String(7_000 + serial).padStart(4, '0')}`;

const MERANGIN = { name: 'Kabupaten Merangin', kind: 'regency', regionCode: '15.02' } as const;

/** The officer's draft of a commitment over the village in 2027, with `eligibility` rules. */
const draftWith = (staff: SponsorStaff, eligibility: unknown) =>
  staff.officer.post('/v1/commitments', {
    ...commitmentDraft(staff.sponsorId, { villages: [VILLAGE], fiscalYear: 2027 }),
    eligibility,
  });

const rulesCommitment = async () => {
  const staff = await sponsorWithStaff(stack, MERANGIN);
  const draft = await draftWith(staff, { maxAge: 45, segments: ['village-official', 'rt-rw'] });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  expect((await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {})).status).toBe(200);
  const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [VILLAGE] });
  return { staff, commitmentId: draft.body.id as string, draft: draft.body, operator };
};

describe('eligibility rules of a commitment', () => {
  it('enrolls the workers its rules name and refuses the others with not-eligible, naming the rule', async () => {
    // Prepare
    const { commitmentId, draft, operator } = await rulesCommitment();
    const enroll = (nik: string, segment?: string) =>
      operator.post(`/v1/villages/${VILLAGE}/enrollments`, {
        commitmentId,
        worker: { nik, ...(segment && { segment }) },
        startPeriod: '2027-03',
      });

    // Act
    const rtHead = await enroll(worker(1), 'rt-rw');
    const fisher = await enroll(worker(2), 'fisher');
    const unnamed = await enroll(worker(3));
    const older = await enroll(fiftyYearOld(4), 'village-official');

    // Assess
    expect(draft.eligibility).toEqual({ maxAge: 45, segments: ['village-official', 'rt-rw'] });
    expect(rtHead.status, JSON.stringify(rtHead.body)).toBe(201);
    expect(rtHead.body.segment).toBe('rt-rw');
    for (const refused of [fisher, unnamed, older]) {
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('not-eligible');
    }
    expect(fisher.body.details).toMatchObject({ rule: 'segment', segment: 'fisher' });
    expect(unnamed.body.details).toMatchObject({ rule: 'segment', segment: null });
    expect(older.body.details).toMatchObject({ rule: 'age', age: 50, maxAge: 45 });
    const list = await operator.get(`/v1/villages/${VILLAGE}/enrollments?commitmentId=${commitmentId}`);
    expect(list.body.items).toHaveLength(1);
  });

  it('refuses rows outside the rules in an import, alone, and enrolls the rest', async () => {
    // Prepare
    const { commitmentId, operator } = await rulesCommitment();
    const csv = [
      'nik,name,segment,startPeriod',
      `${worker(11)},Ani,village-official,2027-02`,
      `${worker(12)},Budi,farmer,2027-02`,
      `${fiftyYearOld(13)},Citra,rt-rw,2027-02`,
      `${worker(14)},Dedi,rt-rw,2027-02`,
    ].join('\n');

    // Act
    const posted = await operator.send('POST', `${importPath(VILLAGE)}?commitmentId=${commitmentId}`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    const { job, rows } = await importResults(operator, posted.body.id);

    // Assess
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(job).toMatchObject({ rows: { total: 4, enrolled: 2, refused: 2 }, byCode: { 'not-eligible': 2 } });
    expect(rows.map((r) => r.code ?? r.status)).toEqual([201, 'not-eligible', 'not-eligible', 201]);
  });

  it('takes only the workers on the sponsor list it names, a list that holds no NIK', async () => {
    // Prepare: Kudus's rule, every worker from the extreme-poverty list (P3KE), aged at most 65.
    const staff = await sponsorWithStaff(stack, MERANGIN);
    const path = `/v1/sponsors/${staff.sponsorId}/lists/p3ke`;
    const [onList, leaving, offList] = [worker(21), worker(22), worker(23)];
    const draft = await draftWith(staff, { maxAge: 65, list: 'p3ke' });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect((await staff.approver.post(`/v1/commitments/${draft.body.id}/approve`, {})).status).toBe(200);
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [VILLAGE] });
    const enroll = (nik: string) =>
      operator.post(`/v1/villages/${VILLAGE}/enrollments`, {
        commitmentId: draft.body.id,
        worker: { nik },
        startPeriod: '2027-04',
      });

    // Act: the list goes up (twice, as a retry would), a wrong NIK refuses its whole upload, one worker leaves.
    const uploaded = await staff.officer.post(`${path}/members`, { niks: [onList, leaving] });
    const again = await staff.officer.post(`${path}/members`, { niks: [onList, leaving, onList] });
    const wrong = await staff.officer.post(`${path}/members`, { niks: [offList, '1502019999990001'] });
    const removed = await staff.officer.post(`${path}/members/remove`, { niks: [leaving] });
    const listed = await enroll(onList);
    const left = await enroll(leaving);
    const never = await enroll(offList);

    // Assess
    expect(draft.body.eligibility).toEqual({ maxAge: 65, list: 'p3ke' });
    expect(uploaded.body).toEqual({ sponsorId: staff.sponsorId, list: 'p3ke', members: 2 });
    expect(again.body.members).toBe(2);
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([{ path: 'niks.1', message: expect.any(String) }]);
    expect(removed.body.members).toBe(1);
    expect((await staff.approver.get(path)).body.members).toBe(1);
    expect(listed.status, JSON.stringify(listed.body)).toBe(201);
    for (const refused of [left, never]) {
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'not-eligible', details: { rule: 'list', list: 'p3ke' } });
    }
    const { Items = [] } = await localClients(stack).document.send(
      new QueryCommand({
        TableName: stack.tables.ledger?.name ?? '',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LIST#${staff.sponsorId}#p3ke` },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(JSON.stringify(Items)).not.toContain(onList);
    expect(JSON.stringify(Items)).not.toContain(onList.slice(6));
  });

  it('refuses rules no worker could meet when the commitment is drafted', async () => {
    // Prepare
    const staff = await sponsorWithStaff(stack, MERANGIN);

    // Act
    const draft = await draftWith(staff, { minAge: 50, maxAge: 40 });
    const unknown = await draftWith(staff, { segments: ['astronaut'] });

    // Assess
    expect(draft.status).toBe(422);
    expect(draft.body.code).toBe('validation-failed');
    expect(unknown.status).toBe(422);
  });
});
