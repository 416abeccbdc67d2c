/**
 * Collection through the local stack's HTTP API (issue 18): a market manager's collector records Rp 1.000 on
 * 20 market days for a trader, the balance and the month's statement say so (fee 7,5 % rounded down), the
 * same list sent again changes nothing, a collector of another partner is refused, refunds are bounded by the
 * balance, and the contribution ledger reconciles with every counter.
 */
import { ContributionLedger, DepositRepository, documentClient } from '@lindung/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller, nikIn } from '../support/api-client.js';
import { localClients, localStack } from '../support/local-stack.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const store = new ContributionLedger(db, tableName, new DepositRepository(db, tableName));
const PERIOD = '2043-03';
/** 20 market days of March. */
const MARKET_DAYS = Array.from({ length: 20 }, (_, i) => `${PERIOD}-${String(i + 2).padStart(2, '0')}`);

describe('deposits of a market manager’s collector', () => {
  let admin: Caller;
  let auditor: Caller;
  let collector: Caller;
  let otherCollector: Caller;
  let partnerId: string;
  let otherPartnerId: string;
  const trader = nikIn('637101', 1);
  const base = () => `/v1/partners/${partnerId}`;
  const marketDays = (nik: string, prefix: string) => ({
    deposits: MARKET_DAYS.map((day) => ({
      receiptNumber: `${prefix}-${day}`,
      nik,
      amount: 1_000,
      depositedAt: day,
      villageCode: '63.71.01.1001',
    })),
  });

  beforeAll(async () => {
    admin = await caller(stack, { roles: ['admin'] });
    auditor = await caller(stack, { roles: ['auditor'] });
    const [market, agent] = await Promise.all([
      admin.post('/v1/partners', {
        name: 'Pengelola Pasar Sentra Antasari',
        kind: 'market-manager',
        areaCode: '63.71',
        feeRateBasisPoints: 750,
      }),
      admin.post('/v1/partners', {
        name: 'Agen Perisai Martapura',
        kind: 'agent',
        areaCode: '63.03',
        feeRateBasisPoints: 750,
      }),
    ]);
    expect([market.status, agent.status]).toEqual([201, 201]);
    partnerId = market.body.id;
    otherPartnerId = agent.body.id;
    collector = await caller(stack, { roles: ['collector'], partnerId, sub: 'kolektor-antasari' });
    otherCollector = await caller(stack, { roles: ['collector'], partnerId: otherPartnerId });
  });

  it('records Rp 1.000 on 20 market days: balance Rp 20.000, statement 20.000 collected and fee 1.500', async () => {
    // Act
    const recorded = await collector.post(`${base()}/deposits`, marketDays(trader, 'PSA'), {
      'idempotency-key': 'march-list-1',
    });
    const balance = await collector.post(`${base()}/balances/lookup`, { nik: trader });
    const statement = await auditor.get(`${base()}/statements/${PERIOD}`);

    // Assess
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ recorded: 20, replayed: 0, refused: 0 });
    expect(recorded.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
    expect(JSON.stringify(recorded.body)).not.toContain(trader);
    expect(balance.body).toMatchObject({ balance: 20_000, deposited: 20_000, refunded: 0, applied: 0 });
    expect(balance.body.deposits).toHaveLength(20);
    expect(balance.body.deposits[0]).toMatchObject({
      depositedAt: '2043-03-21',
      recordedBy: 'kolektor-antasari',
    });
    expect(statement.body).toEqual({
      partnerId,
      period: PERIOD,
      feeRateBasisPoints: 750,
      collected: 20_000,
      fee: 1_500,
      rounding: 'floor',
      deposits: 20,
      workers: 1,
      // No contribution account at this partner: the roll applies and remits nothing.
      applied: 0,
      remitted: 0,
    });
  });

  it('changes nothing when the same list is sent again, with its idempotency key or without', async () => {
    // Prepare
    const before = await collector.get(`${base()}/statements/${PERIOD}`);

    // Act
    const sameKey = await collector.post(`${base()}/deposits`, marketDays(trader, 'PSA'), {
      'idempotency-key': 'march-list-1',
    });
    const noKey = await collector.post(`${base()}/deposits`, marketDays(trader, 'PSA'));

    // Assess: the key's first answer again; without it, each receipt answers it was recorded before.
    expect(sameKey.body).toMatchObject({ recorded: 20, replayed: 0 });
    expect(noKey.body).toMatchObject({ recorded: 0, replayed: 20, refused: 0 });
    expect(noKey.body.results.every((r: { status: number }) => r.status === 200)).toBe(true);
    expect((await collector.get(`${base()}/statements/${PERIOD}`)).body).toEqual(before.body);
    expect((await collector.post(`${base()}/balances/lookup`, { nik: trader })).body.balance).toBe(20_000);
  });

  it('refuses a receipt number used again for another amount, and records the rest of the list', async () => {
    // Prepare
    const nik = nikIn('637101', 2);

    // Act
    const answer = await collector.post(`${base()}/deposits`, {
      deposits: [
        { receiptNumber: 'PSA-2043-03-02', nik: trader, amount: 5_000, depositedAt: '2043-03-02' },
        { receiptNumber: 'PSB-1', nik, amount: 2_000, depositedAt: '2043-04-01' },
      ],
    });

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ recorded: 1, replayed: 0, refused: 1 });
    expect(answer.body.results[0]).toMatchObject({ status: 409, code: 'receipt-conflict' });
    expect((await collector.post(`${base()}/balances/lookup`, { nik: trader })).body.balance).toBe(20_000);
  });

  it('refuses a collector of another partner, and a village outside the partner’s area', async () => {
    // Act
    const answers = await Promise.all([
      otherCollector.post(`${base()}/deposits`, marketDays(nikIn('637101', 3), 'X')),
      otherCollector.get(`${base()}/statements/${PERIOD}`),
      otherCollector.post(`${base()}/balances/lookup`, { nik: trader }),
      otherCollector.get(base()),
    ]);
    const outside = await collector.post(`${base()}/deposits`, {
      receiptNumber: 'PSA-OUT-1',
      nik: trader,
      amount: 1_000,
      depositedAt: '2043-03-22',
      villageCode: '63.03.01.2001',
    });

    // Assess
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(answers.map(() => [403, 'forbidden']));
    expect(outside.status).toBe(422);
    expect(outside.body.errors[0].path).toBe('deposits.0.villageCode');
  });

  it('refunds within the balance and is refused over it', async () => {
    // Act
    const over = await collector.post(`${base()}/refunds`, {
      receiptNumber: 'RF-1',
      nik: trader,
      amount: 20_001,
      reason: 'Pindah ke Samarinda',
    });
    const within = await collector.post(`${base()}/refunds`, {
      receiptNumber: 'RF-2',
      nik: trader,
      amount: 5_000,
      reason: 'Pindah ke Samarinda',
    });

    // Assess
    expect([over.status, over.body.code]).toEqual([409, 'balance-insufficient']);
    expect([within.status, within.body.outcome]).toEqual([201, 'recorded']);
    const balance = await admin.post(`${base()}/balances/lookup`, { nik: trader });
    expect(balance.body).toMatchObject({ balance: 15_000, deposited: 20_000, refunded: 5_000 });
    const partner = await collector.get(base());
    expect(partner.body.totals).toEqual({ deposited: 22_000, refunded: 5_000, applied: 0, held: 17_000 });
  });

  it('reconciles: deposits = applied + balances + refunds, per worker and per partner', async () => {
    // Act
    const worker = await store.reconcileWorker(trader);
    const other = await store.reconcileWorker(nikIn('637101', 2));
    const partner = await store.reconcilePartner(partnerId);

    // Assess
    expect([worker.problems, other.problems, partner.problems]).toEqual([[], [], []]);
    expect(worker.counters).toEqual({ deposited: 20_000, applied: 0, balance: 15_000, refunded: 5_000 });
    expect(partner.fromLedger).toEqual({ deposited: 22_000, applied: 0, balance: 17_000, refunded: 5_000 });
  });
});
