/**
 * The projection of ledger items into report cells: every item owns one attribute, set to what the item says
 * now, so delivering stream records at least once (replays of a failed batch included) gives the same cells
 * as building them from the items' final images (the rebuild).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  contributionOf,
  contributionOfChange,
  foldContributions,
  REPORTED_CHANGES,
  rollupOfCell,
  rollupsInMemory,
  type SourceChange,
  type SourceItem,
  sponsorScope,
  sumRollups,
  villageRollups,
  yearScope,
} from '@lindung/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../packages/local/src/stream-poller.js';

const C = '01J0000000000000000000000A';
const V = '15.71.01.1001';

const enrollment = (id: string, status: string, startPeriod = '2031-01', endPeriod?: string) => ({
  entity: 'enrollment',
  pk: `ENROLLMENTS#${C}#${V}`,
  sk: `ENROLLMENT#${id}`,
  id,
  commitmentId: C,
  villageCode: V,
  status,
  startPeriod,
  ...(status !== 'active' && { endPeriod: endPeriod ?? '2031-03' }),
});
const invoice = (period: string, status: string, total: number) => ({
  entity: 'invoice',
  commitmentId: C,
  villageCode: V,
  period,
  status,
  total,
});
const allocation = (reserved: number, spent: number) => ({
  entity: 'allocation',
  commitmentId: C,
  villageCode: V,
  sponsorId: 'S1',
  fiscalYear: 2031,
  budget: 1_000_000,
  available: 1_000_000 - reserved - spent,
  reserved,
  spent,
  released: 0,
  status: 'active',
});

/** Applies folded batches to cells held in memory, as the projector's UpdateItem does. */
const applyBatches = (batches: readonly SourceChange[][]) => {
  const cells = new Map<string, Record<string, unknown>>();
  for (const batch of batches) {
    for (const [id, { attributes }] of foldContributions(batch)) {
      const cell = cells.get(id) ?? {};
      for (const [name, value] of attributes) {
        if (value === undefined) delete cell[name];
        else cell[name] = value;
      }
      cells.set(id, cell);
    }
  }
  return cells;
};

/** A history of item versions (old → new), in commit order. */
const history = fc
  .array(
    fc.oneof(
      fc.record({
        kind: fc.constant('enrollment'),
        id: fc.constantFrom('E1', 'E2', 'E3'),
        status: fc.constantFrom('active', 'terminated', 'expired'),
      }),
      fc.record({
        kind: fc.constant('invoice'),
        period: fc.constantFrom('2031-01', '2031-02'),
        status: fc.constantFrom('issued', 'sent', 'paid', 'void'),
        total: fc.integer({ min: 0, max: 500_000 }),
      }),
      fc.record({
        kind: fc.constant('allocation'),
        reserved: fc.integer({ min: 0, max: 400_000 }),
        spent: fc.integer({ min: 0, max: 400_000 }),
      }),
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((steps) => {
    const current = new Map<string, SourceItem>();
    const changes: SourceChange[] = [];
    for (const step of steps) {
      const item: SourceItem =
        step.kind === 'enrollment'
          ? enrollment(step.id, step.status)
          : step.kind === 'invoice'
            ? invoice(step.period, step.status, step.total)
            : allocation(step.reserved, step.spent);
      const key = `${step.kind}:${'id' in step ? step.id : 'period' in step ? step.period : ''}`;
      const old = current.get(key);
      changes.push({ ...(old && { oldImage: old }), newImage: item });
      current.set(key, item);
    }
    return { changes, final: [...current.values()] };
  });

describe('report cells', () => {
  it('give the same figures after at-least-once delivery as built from the final items', () => {
    fc.assert(
      fc.property(
        history,
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }),
        fc.array(fc.boolean()),
        ({ changes, final }, sizes, failures) => {
          // Prepare: cut the records into batches; a failed batch is applied, then delivered again whole.
          const batches: SourceChange[][] = [];
          for (let i = 0, b = 0; i < changes.length; b++) {
            const batch = changes.slice(i, i + (sizes[b % sizes.length] ?? 1));
            batches.push(batch);
            if (failures[b % Math.max(1, failures.length)]) batches.push(batch);
            i += batch.length;
          }

          // Act
          const delivered = applyBatches(batches);
          const rebuilt = applyBatches([final.map((newImage) => ({ newImage }))]);

          // Assess
          expect(delivered).toEqual(rebuilt);
        },
      ),
    );
  });

  it('count a worker as covered while the enrollment is active, and invoices by their state', () => {
    // Act
    const cells = applyBatches([
      [
        { newImage: allocation(403_200, 33_600) },
        { newImage: enrollment('E1', 'active') },
        { newImage: enrollment('E2', 'active') },
        { oldImage: enrollment('E2', 'active'), newImage: enrollment('E2', 'terminated') },
        { newImage: invoice('2031-01', 'paid', 33_600) },
        { newImage: invoice('2031-02', 'issued', 16_800) },
        {
          newImage: {
            entity: 'ledger',
            type: 'spend',
            sk: 'ENTRY#ROLL#2031-01',
            commitmentId: C,
            villageCode: V,
            period: '2031-01',
            amount: 33_600,
          },
        },
        {
          newImage: {
            entity: 'ledger',
            type: 'reserve',
            sk: 'ENTRY#X',
            commitmentId: C,
            villageCode: V,
            amount: 1,
          },
        },
      ],
    ]);
    const rollup = rollupOfCell(cells.get(`${C}/${V}`) ?? {});

    // Assess
    expect(rollup).toMatchObject({
      allocated: 1_000_000,
      reserved: 403_200,
      spent: 33_600,
      covered: 1,
      quotas: 1,
    });
    expect(rollup.invoices.paid).toEqual({ count: 1, amount: 33_600 });
    expect(rollup.invoices.issued).toEqual({ count: 1, amount: 16_800 });
    expect(rollup.burn).toEqual({ '2031-01': 33_600 });
  });

  it("count no worker as covered once its village's year is closed, though no enrollment item changed", () => {
    // Prepare
    const running = [{ newImage: enrollment('E1', 'active') }, { newImage: enrollment('E2', 'active') }];
    const closed = { ...allocation(0, 403_200), available: 0, released: 596_800, status: 'closed' };

    // Act
    const before = rollupOfCell(
      applyBatches([[{ newImage: allocation(403_200, 0) }, ...running]]).get(`${C}/${V}`) ?? {},
    );
    const after = rollupOfCell(
      applyBatches([[{ newImage: allocation(403_200, 0) }, ...running], [{ newImage: closed }]]).get(
        `${C}/${V}`,
      ) ?? {},
    );

    // Assess
    expect(before.covered).toBe(2);
    expect(after).toMatchObject({ covered: 0, spent: 403_200, released: 596_800, quotas: 1 });
  });

  it('count the workers of every month of the year from the enrollments, ended ones included', () => {
    // Prepare: E1 from January, E2 from March ended in June (not covered from June), E3 from November.
    const cells = applyBatches([
      [
        { newImage: allocation(0, 0) },
        { newImage: enrollment('E1', 'active', '2031-01') },
        { newImage: enrollment('E2', 'active', '2031-03') },
        { newImage: enrollment('E3', 'active', '2031-11') },
      ],
      [
        {
          oldImage: enrollment('E2', 'active', '2031-03'),
          newImage: enrollment('E2', 'terminated', '2031-03', '2031-06'),
        },
      ],
    ]);

    // Act
    const rollup = rollupOfCell(cells.get(`${C}/${V}`) ?? {});

    // Assess
    expect(rollup.covered).toBe(2);
    expect(rollup.months).toEqual({
      '2031-01': 1,
      '2031-02': 1,
      '2031-03': 2,
      '2031-04': 2,
      '2031-05': 2,
      '2031-06': 1,
      '2031-07': 1,
      '2031-08': 1,
      '2031-09': 1,
      '2031-10': 1,
      '2031-11': 2,
      '2031-12': 2,
    });
    expect(sumRollups([rollup, rollup]).months['2031-03']).toBe(4);
  });

  it('ignore items reports do not read', () => {
    expect(contributionOf({ entity: 'claim', commitmentId: C, villageCode: V }, undefined)).toBeUndefined();
    expect(
      contributionOf(
        { entity: 'ledger', type: 'reserve', sk: 'ENTRY#1', commitmentId: C, villageCode: V },
        undefined,
      ),
    ).toBeUndefined();
  });

  it("reach the projector through its event source's filters whenever they change a cell, and not otherwise", () => {
    // Prepare: items of every kind the ledger table holds, with or without the fields a contribution needs.
    const entities = [
      'commitment',
      'allocation',
      'enrollment',
      'invoice',
      'invoice-lines',
      'invoice-sequence',
    ];
    const item = fc.record(
      {
        entity: fc.constantFrom(
          ...entities,
          'ledger',
          'claim',
          'import-rows',
          'import-results',
          'idempotency',
        ),
        type: fc.constantFrom('spend', 'reserve', 'release'),
        id: fc.constant('E1'),
        commitmentId: fc.constant(C),
        villageCode: fc.constant(V),
        period: fc.constant('2031-02'),
        sk: fc.constant('ENTRY#1'),
        startPeriod: fc.constant('2031-01'),
        status: fc.constantFrom('active', 'ended', 'paid'),
      },
      { requiredKeys: ['entity'] },
    );
    const change = fc.record({ eventName: fc.constantFrom('INSERT', 'MODIFY', 'REMOVE'), item });
    const passes = (record: unknown) => REPORTED_CHANGES.some((pattern) => matchesPattern(pattern, record));

    fc.assert(
      fc.property(change, ({ eventName, item }) => {
        // Act: the stream record as Lambda's filters see it, and what the projector makes of the change.
        const image = marshall(item);
        const removed = eventName === 'REMOVE';
        const record = { eventName, dynamodb: removed ? { OldImage: image } : { NewImage: image } };
        const contribution = contributionOfChange(removed ? { oldImage: item } : { newImage: item });

        // Assess: no change that a cell shows is filtered out; of items of other kinds, only removals pass.
        if (contribution) expect(passes(record)).toBe(true);
        const read = ['commitment', 'allocation', 'enrollment', 'invoice'].includes(item.entity);
        const spend = item.entity === 'ledger' && item.type === 'spend';
        expect(passes(record)).toBe(removed || read || spend);
      }),
    );
  });

  it('roll a cell up to every region above its village (a village has no rollup) in its three scopes', () => {
    // Prepare
    const cell = {
      commitmentId: C,
      villageCode: V,
      sponsorId: 'S1',
      fiscalYear: 2031,
      alloc: { budget: 10, available: 10 },
    };

    // Act
    const rollups = rollupsInMemory(
      [cell],
      new Map([[C, { commitmentId: C, sponsorId: 'S1', fiscalYear: 2031 }]]),
    );

    // Assess
    expect([...rollups.keys()].sort()).toEqual(
      ['Y#2031', 'S#S1#2031', `C#${C}`]
        .flatMap((scope) => ['15.71.01', '15.71', '15', 'ID'].map((code) => `${scope}|${code}`))
        .sort(),
    );
    expect(sumRollups(rollups.values()).allocated).toBe(120);
  });

  it("give a village's figures in a scope as the sum of its cells in that scope", () => {
    // Prepare: a village with cells of two sponsors' commitments, a village beside it, a cell of another year.
    const cell = (
      commitmentId: string,
      sponsorId: string,
      villageCode: string,
      budget: number,
      year = 2031,
    ) => ({
      commitmentId,
      villageCode,
      sponsorId,
      fiscalYear: year,
      alloc: { budget, available: budget },
      e_1: '2031-01',
    });
    const cells = [
      cell(C, 'S1', V, 10),
      cell('01J0000000000000000000000B', 'S2', V, 20),
      cell(C, 'S1', '15.71.01.1002', 40),
      cell('01J0000000000000000000000D', 'S1', V, 80, 2032),
    ];

    // Act
    const year = villageRollups(cells, yearScope(2031));
    const sponsor = villageRollups(cells, sponsorScope('S1', 2031));

    // Assess
    expect(
      Object.fromEntries([...year].map(([code, r]) => [code, [r.allocated, r.covered, r.quotas]])),
    ).toEqual({
      [V]: [30, 2, 2],
      '15.71.01.1002': [40, 1, 1],
    });
    expect(sponsor.get(V)?.allocated).toBe(10);
    expect(year.get(V)?.months['2031-03']).toBe(2);
  });
});
