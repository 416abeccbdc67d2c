/**
 * The data migration of allocations made before several sponsors could fund one village, against DynamoDB
 * Local: such an allocation has no `gsi1` keys, so the village's funding does not show it; `migrate` gives it
 * the keys, a check run counts without writing, and a second run (or one racing it) changes nothing.
 */

import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { allocate, benefitPackage, rupiah } from '@lindung/core';
import {
  CommitmentRepository,
  DepositRepository,
  documentClient,
  migrate,
  partnerDirectoryKey,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const commitments = new CommitmentRepository(db, tableName);
const YEAR = 2040; // no other integration test uses it
const VILLAGES = ['15.71.04.2001', '15.71.04.2002', '15.71.04.2003'];

/** An active commitment over `VILLAGES`, whose allocations are then stripped of their index keys, as before. */
const oldCommitment = async () => {
  const sponsor = await commitments.createSponsor({
    name: 'Kota Lama',
    kind: 'regency',
    regionCode: '15.71',
  });
  const budget = rupiah(3 * 201_600);
  const draft = await commitments.draft(
    {
      sponsorId: sponsor.id,
      fiscalYear: YEAR,
      budget,
      funding: { kind: 'fixed', amount: budget },
      benefit: benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 }),
      reservation: 'fiscal-year',
      allocation: { kind: 'equal' },
      villageCodes: VILLAGES,
    },
    'officer',
  );
  await commitments.approve(draft.id, 'approver', allocate(budget, { kind: 'equal' }, VILLAGES));
  for (const villageCode of VILLAGES) {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `COMMITMENT#${draft.id}`, sk: `ALLOCATION#${villageCode}` },
        UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
      }),
    );
  }
  return draft.id;
};

const fundersOf = async (villageCode: string) =>
  (await commitments.fundingOf(villageCode, YEAR)).map((f) => f.commitment.id);

describe('the allocation-village-index migration', () => {
  it('makes old allocations fund their villages again, once, and a check writes nothing', async () => {
    // Prepare
    const commitmentId = await oldCommitment();
    const before = await fundersOf(VILLAGES[0] as string);

    // Act
    const check = await migrate(db, tableName, 'allocation-village-index', { write: false });
    const afterCheck = await fundersOf(VILLAGES[0] as string);
    const [first, racing] = await Promise.all([
      migrate(db, tableName, 'allocation-village-index', { segments: 2 }),
      migrate(db, tableName, 'allocation-village-index', { segments: 3 }),
    ]);
    const again = await migrate(db, tableName, 'allocation-village-index');

    // Assess
    expect(before).not.toContain(commitmentId);
    expect(check.pending).toBeGreaterThanOrEqual(VILLAGES.length);
    expect(check.written).toBe(0);
    expect(afterCheck).not.toContain(commitmentId);
    for (const villageCode of VILLAGES) expect(await fundersOf(villageCode)).toContain(commitmentId);
    // Each allocation written by exactly one of the two racing runs; the other was refused by the condition
    // or no longer found it.
    expect(first.written + racing.written).toBe(check.pending);
    expect(again).toEqual({ name: 'allocation-village-index', pending: 0, written: 0, alreadyDone: 0 });
  });

  it('lists partners registered before the directory once the partner-directory migration has run', async () => {
    // Prepare: two partners of an area of their own; the first loses its directory entry, as before
    const deposits = new DepositRepository(db, tableName);
    const terms = { kind: 'agent', areaCode: '15.71.04', feeRateBasisPoints: 750 } as const;
    const old = await deposits.createPartner({ ...terms, name: 'Agen lama' }, 'admin');
    const recent = await deposits.createPartner({ ...terms, name: 'Agen baru' }, 'admin');
    await db.send(
      new DeleteCommand({ TableName: tableName, Key: partnerDirectoryKey(terms.areaCode, old.id) }),
    );
    const listed = async () => (await deposits.listPartners(terms.areaCode, 10)).items.map((p) => p.name);
    const before = await listed();

    // Act
    const check = await migrate(db, tableName, 'partner-directory', { write: false });
    const run = await migrate(db, tableName, 'partner-directory');
    const again = await migrate(db, tableName, 'partner-directory');

    // Assess
    expect(before).toEqual(['Agen baru']);
    expect(recent.areaCode).toBe('15.71.04');
    expect(check).toMatchObject({ pending: 1, written: 0 });
    expect(run).toMatchObject({ pending: 1, written: 1 });
    expect(again).toMatchObject({ pending: 0, written: 0, alreadyDone: 0 });
    expect((await listed()).sort()).toEqual(['Agen baru', 'Agen lama']);
    expect((await deposits.listPartners('15.71.04', 1)).nextPageToken).toBeDefined();
    const everyArea = (await deposits.listPartners(undefined, 1000)).items.map((p) => p.id);
    expect(everyArea).toEqual(expect.arrayContaining([old.id, recent.id]));
  });
});
