/**
 * Workers' own shares through the local stack (issue 18): a province pays JKK + JKM and traders add JHT from
 * what a market manager collects day by day; self-paying workers of a Perisai agent lapse after three unpaid
 * months as a sponsored village does; and the contribution roll under faults (throttles, lost responses, every
 * unit delivered twice, deposits sent twice) ends in the state of a clean run, every ledger reconciled.
 * Fiscal years 2064–2066, NIKs of districts 63.71.05, 63.03.02 and 63.72.02: no other test uses them.
 */
import { type IsoDate, type Period, planRenewal, type Rupiah } from '@lindung/core';
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

/** Waits until billing has acknowledged (payment code) and paid the partner's remittance of `period`. */
const remittancePaid = (partnerId: string, period: string) =>
  eventually(
    async () => {
      const remittance = await contributions.remittance(partnerId, period as never);
      return remittance?.status === 'paid' && remittance.paymentCode ? remittance : undefined;
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

  it('lapses a self-paying worker after three months without deposits, from the month a sponsored village would', async () => {
    // Prepare: a Perisai agent; one self-paying worker never pays, one deposits four months ahead.
    const year = 2065;
    const period = (month: number) => `${year}-${String(month).padStart(2, '0')}` as Period;
    const village = '63.03.02.2005';
    const sponsoredVillage = '63.03.02.2006';
    const [lapsing, funded, sponsored] = [nikIn('630302', 1), nikIn('630302', 2), nikIn('630302', 3)];
    const regency = await sponsorWithStaff(stack, {
      name: 'Kabupaten Banjar',
      kind: 'regency',
      regionCode: '63.03',
    });
    const commitmentId = await activeCommitment(regency, { villages: [sponsoredVillage], fiscalYear: year });
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [sponsoredVillage] });
    const enroll = (nik: string, month: number) =>
      operator.post(`/v1/villages/${sponsoredVillage}/enrollments`, {
        commitmentId,
        worker: { nik },
        startPeriod: period(month),
      });
    expect((await enroll(sponsored, 1)).status).toBe(201);
    const agent = await partner(admin, 'agent', '63.03', 'Agen Perisai Martapura Timur');
    const base = `/v1/partners/${agent.partnerId}`;
    const register = (nik: string) =>
      agent.collector.post(`${base}/contributors`, {
        nik,
        villageCode: village,
        programs: ['JKK', 'JKM'],
        startPeriod: period(1),
      });
    for (const nik of [lapsing, funded]) {
      const registered = await register(nik);
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      expect(registered.body.account).toMatchObject({ kind: 'self-paying', programs: ['JKK', 'JKM'] });
    }
    const deposited = await agent.collector.post(`${base}/deposits`, {
      receiptNumber: 'PRS-0001',
      nik: funded,
      amount: 4 * 16_800,
      depositedAt: `${period(1)}-05`,
    });
    expect(deposited.status).toBe(201);

    // Assess (I3, both ways): the database refuses a second payer for the same JKK + JKM months.
    const twice = await register(sponsored);
    expect([twice.status, twice.body.code]).toEqual([409, 'already-covered']);
    const sponsoredToo = await enroll(funded, 2);
    expect([sponsoredToo.status, sponsoredToo.body.code]).toEqual([409, 'already-covered']);
    expect((await register(funded)).body.outcome).toBe('replayed');

    // Act: four monthly rolls.
    for (let month = 1; month <= 4; month++) {
      expect((await admin.post(`/v1/periods/${period(month)}/roll`, {})).status).toBe(202);
      await contributionsRolled(agent.partnerId, period(month));
    }

    // Assess: three unpaid months, then lapsed from the fourth, the month a sponsored village lapses in.
    const account = await contributions.account(agent.partnerId, lapsing);
    expect(account).toMatchObject({ status: 'lapsed', lapsedFrom: period(4), unpaidRun: 3 });
    const sponsoredPlan = planRenewal({
      period: period(4),
      mode: 'fiscal-year',
      premium: 16_800 as Rupiah,
      enrollments: [
        {
          id: 'x',
          birthDate: '2020-01-02' as IsoDate,
          startPeriod: period(1),
          status: 'active',
          enrolledAt: '',
        },
      ],
      available: 0 as Rupiah,
      unpaidPeriodsBefore: 3,
    });
    expect(sponsoredPlan.endings.map((e) => [e.state, e.reason])).toEqual([['lapsed', 'unpaid']]);
    const monthsOf = async (nik: string) => {
      const found: string[] = [];
      for (let month = 1; month <= 4; month++) {
        const months = await contributions.monthsOf(agent.partnerId, period(month));
        const mine = months.find((m) => m.nik === nik);
        if (mine) found.push(`${mine.period} ${mine.status} ${mine.amount}`);
      }
      return found;
    };
    expect(await monthsOf(lapsing)).toEqual([
      `${period(1)} unpaid 0`,
      `${period(2)} unpaid 0`,
      `${period(3)} unpaid 0`,
    ]);
    expect(await monthsOf(funded)).toEqual([1, 2, 3, 4].map((m) => `${period(m)} paid 16800`));
    expect(await contributions.account(agent.partnerId, funded)).toMatchObject({
      status: 'active',
      unpaidRun: 0,
    });
    expect(await deposits.balance(funded)).toEqual({
      balance: 0,
      deposited: 67_200,
      refunded: 0,
      applied: 67_200,
    });
    for (let month = 1; month <= 4; month++) await remittancePaid(agent.partnerId, period(month));
    // The lapse gave the claimed months back: a sponsor may cover the worker from May.
    expect((await enroll(lapsing, 5)).status).toBe(201);
    await expectReconciled(agent.partnerId, [lapsing, funded]);
  });

  describe('the contribution roll under faults', () => {
    const year = 2066;
    const period = (month: number) => `${year}-${String(month).padStart(2, '0')}` as Period;
    const village = '63.72.02.1003';
    const MONTHS = [1, 2, 3, 4];
    let clean: string[];

    /**
     * One run of four months for a new partner: a JHT add-on paid every month from 20 daily deposits, a JHT
     * add-on whose short deposit is refunded, a self-paying worker funded for two months, and one never funded
     * (lapses in April). Each day's list is sent twice at once and once more; `roll` rolls a month.
     */
    const run = async (
      label: string,
      serials: number,
      roll: (p: Period, partnerId: string) => Promise<void>,
    ) => {
      const market = await partner(admin, 'market-manager', '63.72', `Pasar Banjarbaru ${label}`);
      const base = `/v1/partners/${market.partnerId}`;
      const niks = [0, 1, 2, 3].map((i) => nikIn('637202', serials + i));
      const [daily, refunded, twoMonths, never] = niks as [string, string, string, string];
      for (const [nik, programs] of [
        [daily, ['JHT']],
        [refunded, ['JHT']],
        [twoMonths, ['JKK', 'JKM']],
        [never, ['JKK', 'JKM']],
      ] as const) {
        const registered = await market.collector.post(`${base}/contributors`, {
          nik,
          villageCode: village,
          programs,
          startPeriod: period(1),
        });
        expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      }
      const sendTwiceAndAgain = async (body: unknown) => {
        const answers = await Promise.all([
          market.collector.post(`${base}/deposits`, body),
          market.collector.post(`${base}/deposits`, body),
        ]);
        const again = await market.collector.post(`${base}/deposits`, body);
        expect([...answers, again].map((a) => a.status)).toEqual([201, 201, 201]);
        expect(again.body.recorded).toBe(0);
      };
      await sendTwiceAndAgain({
        deposits: [
          {
            receiptNumber: `${label}-TWO`,
            nik: twoMonths,
            amount: 2 * 16_800,
            depositedAt: `${period(1)}-03`,
          },
          { receiptNumber: `${label}-SHORT`, nik: refunded, amount: 5_000, depositedAt: `${period(1)}-04` },
        ],
      });
      const refund = {
        receiptNumber: `${label}-BACK`,
        nik: refunded,
        amount: 5_000,
        reason: 'Pindah ke kota lain',
      };
      const refunds = await Promise.all([
        market.collector.post(`${base}/refunds`, refund),
        market.collector.post(`${base}/refunds`, refund),
      ]);
      expect(refunds.map((r) => r.status).sort()).toEqual([201, 201]);
      for (const month of MONTHS) {
        await sendTwiceAndAgain({
          deposits: days(period(month), 20).map((day) => ({
            receiptNumber: `${label}-${day}`,
            nik: daily,
            amount: 1_000,
            depositedAt: day,
          })),
        });
        await roll(period(month), market.partnerId);
      }
      for (const month of MONTHS) await remittancePaid(market.partnerId, period(month));
      return { partnerId: market.partnerId, niks };
    };

    /** The partner's contribution state with workers by their place and receipts without the run's label. */
    const canonicalDump = async (label: string, partnerId: string, niks: readonly string[]) => {
      const worker = (nik: string) => `w${niks.indexOf(nik)}`;
      const lines: string[] = [];
      const owner = await deposits.requirePartner(partnerId);
      lines.push(`partner ${JSON.stringify(owner.totals)}`);
      for (const nik of niks) {
        const a = await contributions.account(partnerId, nik);
        lines.push(
          `account ${worker(nik)} ${a?.kind} ${a?.status} ${a?.lapsedFrom} ${a?.unpaidRun} ${a?.lastMonth}`,
        );
        lines.push(`balance ${worker(nik)} ${JSON.stringify(await deposits.balance(nik))}`);
        for (const e of await ledger.workerEntries(nik)) {
          lines.push(
            `entry ${worker(nik)} ${e.type} ${e.receiptNumber.replace(`${label}-`, '')} ${e.amount}`,
          );
        }
      }
      for (const month of MONTHS) {
        for (const m of await contributions.monthsOf(partnerId, period(month))) {
          lines.push(
            `month ${m.period} ${worker(m.nik)} ${m.programs.join('+')} ${m.status} ${m.due} ${m.amount}`,
          );
        }
        const r = await contributions.remittance(partnerId, period(month));
        lines.push(
          `remittance ${period(month)} ${r?.total} ${r?.lineCount} ${r?.status} ${r?.paymentCode !== undefined}`,
        );
        const statement = await admin.get(`/v1/partners/${partnerId}/statements/${period(month)}`);
        const { collected, fee, applied, remitted, deposits: count, workers } = statement.body;
        lines.push(
          `statement ${period(month)} ${collected} ${fee} ${applied} ${remitted} ${count} ${workers}`,
        );
      }
      return lines.sort();
    };

    it('applies, lapses and remits a clean run of four months, every ledger reconciled', async () => {
      // Act
      const { partnerId, niks } = await run('CLEAN', 1, async (p, id) => {
        expect((await admin.post(`/v1/periods/${p}/roll`, {})).status).toBe(202);
        await contributionsRolled(id, p);
      });

      // Assess
      clean = await canonicalDump('CLEAN', partnerId, niks);
      expect(clean).toContain(`account w3 self-paying lapsed ${period(4)} 3 ${period(4)}`);
      expect(clean).toContain(`account w2 self-paying active undefined 2 ${period(4)}`);
      expect(clean).toContain(`remittance ${period(1)} 36800 2 paid true`);
      expect(clean).toContain(`remittance ${period(4)} 20000 1 paid true`);
      expect(clean).toContain(
        `balance w1 ${JSON.stringify({ balance: 0, deposited: 5_000, refunded: 5_000, applied: 0 })}`,
      );
      await expectReconciled(partnerId, niks);
    });

    it('ends in the clean run’s state with throttles, lost responses and every unit and deposit sent twice', async () => {
      // Prepare: the renewal worker in this process, on a DynamoDB client that misbehaves on purpose.
      const worker = await inProcessWorker(db, tableName);
      // A unit makes few calls: rates above the period-roll test's, so every kind of fault happens.
      const faults = worker.injectFaults(20_662, { throttle: 0.08, lost: 0.3 });

      // Act
      let run_: Awaited<ReturnType<typeof run>>;
      try {
        run_ = await run('FAULTY', 11, async (p, partnerId) => {
          await worker.rollAndDeliverTwice(p, { partnerIds: [partnerId] });
        });
      } finally {
        faults.stop();
      }

      // Assess
      expect(faults.injected.throttled).toBeGreaterThan(0);
      expect(faults.injected.lostResponses).toBeGreaterThan(0);
      expect(worker.redeliveries()).toBeGreaterThan(0);
      expect(await canonicalDump('FAULTY', run_.partnerId, run_.niks)).toEqual(clean);
      await expectReconciled(run_.partnerId, run_.niks);
      console.info(
        `faulty contribution roll: ${faults.injected.throttled} throttled calls, ${faults.injected.lostResponses} lost responses, ${worker.redeliveries()} redeliveries; state identical to the clean run`,
      );
    });
  });
});
