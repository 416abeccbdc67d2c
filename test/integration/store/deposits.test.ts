/**
 * Deposits against DynamoDB Local: a deposit is one transaction (all of its writes or none), a receipt sent
 * twice, or five times at once, is one deposit, and a refund beyond the balance is refused by the database.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { BalanceInsufficientError, NotFoundError, ReceiptConflictError } from '@lindung/core';
import {
  ContributionLedger,
  contributionBalanceKey,
  DepositRepository,
  depositKey,
  documentClient,
  nikKey,
  type Partner,
} from '@lindung/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { countWrites } from '../../bench/write-counter.js';
import { nikIn } from '../../support/api-client.js';
import { localClients, localStack } from '../../support/local-stack.js';

const stack = localStack();
const dynamodb = localClients(stack).dynamodb;
const db = documentClient(dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const deposits = new DepositRepository(db, tableName);
const ledger = new ContributionLedger(db, tableName, deposits);

let serial = 0;
/** A worker no other test of this file has used (district 63.71.02, Banjarmasin). */
const newWorker = () => nikIn('637102', ++serial);

const depositOf = (partner: Partner, nik: string, receiptNumber: string, amount = 1_000) => ({
  partnerId: partner.id,
  receiptNumber,
  nik,
  amount,
  depositedAt: '2041-03-14',
  recordedBy: 'collector-1',
});

describe('deposits', () => {
  let partner: Partner;

  beforeAll(async () => {
    partner = await deposits.createPartner(
      { name: 'Pasar Sentra Antasari', kind: 'market-manager', areaCode: '63.71', feeRateBasisPoints: 750 },
      'admin',
    );
  });

  it('records a deposit in one transaction: deposit, balance, partner totals, period and ledger', async () => {
    // Prepare
    const nik = newWorker();
    const counter = countWrites([dynamodb]);

    // Act
    const answer = await deposits.deposit(depositOf(partner, nik, 'ONE-1', 2_500));

    // Assess
    const tally = counter.stop();
    expect(tally.byCommand).toEqual({ TransactWriteItemsCommand: 1 });
    expect(answer).toMatchObject({ outcome: 'recorded', deposit: { amount: 2_500, period: '2041-03' } });
    expect(answer.deposit.nikMasked).not.toContain(nik.slice(4, 14));
    expect(await deposits.balance(nik)).toEqual({
      balance: 2_500,
      deposited: 2_500,
      refunded: 0,
      applied: 0,
    });
    expect((await ledger.reconcileWorker(nik)).problems).toEqual([]);
    expect((await ledger.reconcilePartner(partner.id)).problems).toEqual([]);
  });

  it('writes nothing of a deposit whose partner does not exist: the transaction is all or nothing', async () => {
    // Prepare
    const nik = newWorker();
    const ghost = { ...partner, id: '01J00000000000000000000000' };

    // Act
    const attempt = deposits.deposit(depositOf(ghost, nik, 'GHOST-1'));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    const [deposit, balance] = await Promise.all([
      db.send(new GetCommand({ TableName: tableName, Key: depositKey(ghost.id, 'GHOST-1') })),
      db.send(new GetCommand({ TableName: tableName, Key: contributionBalanceKey(nikKey(nik)) })),
    ]);
    expect([deposit.Item, balance.Item]).toEqual([undefined, undefined]);
    expect(await ledger.workerEntries(nik)).toEqual([]);
  });

  it('writes a receipt sent twice once, and answers the second as the first', async () => {
    // Prepare
    const nik = newWorker();
    const first = await deposits.deposit(depositOf(partner, nik, 'TWICE-1'));

    // Act
    const second = await deposits.deposit(depositOf(partner, nik, 'TWICE-1'));

    // Assess
    expect(second).toEqual({ outcome: 'replayed', deposit: first.deposit });
    expect(await deposits.balance(nik)).toMatchObject({ balance: 1_000, deposited: 1_000 });
    expect(await ledger.workerEntries(nik)).toHaveLength(1);
  });

  it('refuses a receipt number sent again with another amount or worker', async () => {
    // Prepare
    const nik = newWorker();
    await deposits.deposit(depositOf(partner, nik, 'REUSED-1'));

    // Act
    const refusals = await Promise.all([
      deposits.deposit(depositOf(partner, nik, 'REUSED-1', 5_000)).catch((error: unknown) => error),
      deposits.deposit(depositOf(partner, newWorker(), 'REUSED-1')).catch((error: unknown) => error),
    ]);

    // Assess
    expect(refusals[0]).toBeInstanceOf(ReceiptConflictError);
    expect(refusals[1]).toBeInstanceOf(ReceiptConflictError);
    expect(await deposits.balance(nik)).toMatchObject({ balance: 1_000 });
  });

  it('makes five concurrent sends of one receipt one deposit', async () => {
    // Prepare
    const nik = newWorker();
    const before = await deposits.requirePartner(partner.id);

    // Act
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => deposits.deposit(depositOf(partner, nik, 'RACE-1', 3_000))),
    );

    // Assess
    expect(answers.map((a) => a.outcome).sort()).toEqual([
      'recorded',
      'replayed',
      'replayed',
      'replayed',
      'replayed',
    ]);
    expect(await deposits.balance(nik)).toMatchObject({ balance: 3_000, deposited: 3_000 });
    expect(await ledger.workerEntries(nik)).toHaveLength(1);
    const after = await deposits.requirePartner(partner.id);
    expect(after.totals.deposited - before.totals.deposited).toBe(3_000);
    expect((await ledger.reconcilePartner(partner.id)).problems).toEqual([]);
  });

  it('refunds within the balance, and the database refuses a refund over it', async () => {
    // Prepare
    const nik = newWorker();
    await deposits.deposit(depositOf(partner, nik, 'REF-D1', 4_000));
    const refund = {
      partnerId: partner.id,
      nik,
      reason: 'Pindah ke luar kota',
      refundedBy: 'collector-1',
    };

    // Act
    const within = await deposits.refund({ ...refund, receiptNumber: 'REF-1', amount: 3_000 });
    const over = await deposits
      .refund({ ...refund, receiptNumber: 'REF-2', amount: 1_001 })
      .catch((error: unknown) => error);
    const again = await deposits.refund({ ...refund, receiptNumber: 'REF-1', amount: 3_000 });

    // Assess
    expect(within.outcome).toBe('recorded');
    expect(over).toBeInstanceOf(BalanceInsufficientError);
    expect(over).toMatchObject({ details: { balance: 1_000, required: 1_001 } });
    expect(again.outcome).toBe('replayed');
    expect(await deposits.balance(nik)).toEqual({
      balance: 1_000,
      deposited: 4_000,
      refunded: 3_000,
      applied: 0,
    });
    expect((await ledger.reconcileWorker(nik)).problems).toEqual([]);
    expect((await ledger.reconcilePartner(partner.id)).problems).toEqual([]);
  });

  it('lets only one of two concurrent refunds of the whole balance through', async () => {
    // Prepare
    const nik = newWorker();
    await deposits.deposit(depositOf(partner, nik, 'RACE-D1', 2_000));
    const refund = (receiptNumber: string) =>
      deposits.refund({
        partnerId: partner.id,
        nik,
        amount: 2_000,
        reason: 'Keluar',
        refundedBy: 'c',
        receiptNumber,
      });

    // Act
    const outcomes = await Promise.allSettled([refund('RACE-R1'), refund('RACE-R2')]);

    // Assess
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await deposits.balance(nik)).toMatchObject({ balance: 0, refunded: 2_000 });
    expect((await ledger.reconcileWorker(nik)).problems).toEqual([]);
  });

  it('counts a statement: collected, fee rounded down, deposits and distinct workers of the period', async () => {
    // Prepare: a partner of its own, two workers, three deposits in March and one in April.
    const own = await deposits.createPartner(
      { name: 'Agen Perisai Banjarmasin', kind: 'agent', areaCode: '63.71.02', feeRateBasisPoints: 750 },
      'admin',
    );
    const [a, b] = [newWorker(), newWorker()];
    await deposits.deposit(depositOf(own, a, 'S-1', 1_001));
    await deposits.deposit(depositOf(own, a, 'S-2', 1_000));
    await deposits.deposit(depositOf(own, b, 'S-3', 1_000));
    await deposits.deposit({ ...depositOf(own, b, 'S-4', 7_000), depositedAt: '2041-04-01' });

    // Act
    const march = await deposits.statement(own, '2041-03');

    // Assess: 3.001 × 7,5 % = 225,075 → 225
    expect(march).toEqual({
      partnerId: own.id,
      period: '2041-03',
      feeRateBasisPoints: 750,
      collected: 3_001,
      fee: 225,
      deposits: 3,
      workers: 2,
    });
    expect((await ledger.reconcilePartner(own.id)).problems).toEqual([]);
  });
});
