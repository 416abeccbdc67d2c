/**
 * The reporting read model through the local stack (issue 8): the stream projector keeps coverage and
 * budget rollups that equal a rebuild from the source items (rebuilt = incremental), replays change nothing,
 * a batch writes each rollup once, and the report endpoints agree with the commitment API and the ledger.
 */
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { villagesOf } from '@lindung/core';
import {
  ancestorsOf,
  documentClient,
  enrollmentsOfAllocation,
  LedgerRepository,
  ReportsRepository,
  reportKeys,
  type SourceChange,
  sponsorScope,
  yearScope,
} from '@lindung/store';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../packages/local/src/lambda.js';
import { caller } from '../support/api-client.js';
import { eventually, localClients, localStack } from '../support/local-stack.js';
import {
  MONTHLY_PREMIUM,
  projectorCaughtUp,
  type ReportWorld,
  seedReportWorld,
} from '../support/report-world.js';
import { activeCommitment, commitmentDraft, repositories, sponsorWithStaff } from '../support/scenario.js';

const stack = localStack();
const clients = localClients(stack);
const db = documentClient(clients.dynamodb);
const FISCAL_YEAR = 2046; // no other test uses it: the all-sponsor scope of this year is this file's alone
const villages = [
  ...villagesOf('15.71.01').slice(0, 3),
  ...villagesOf('15.71.02').slice(0, 2),
  ...villagesOf('15.01.01').slice(0, 2),
].map((v) => v.code as string);

/** Every record of the ledger table's stream that concerns a commitment, oldest first, as Lambda gets them. */
const streamRecordsOf = async (commitmentId: string): Promise<DynamoDBRecord[]> => {
  const streamArn = stack.tables.ledger?.streamArn ?? '';
  const { StreamDescription } = await clients.streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await clients.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (ShardIterator) {
      const page = await clients.streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      for (const r of page.Records ?? []) {
        const image = r.dynamodb?.NewImage ?? r.dynamodb?.OldImage;
        const ids = [image?.commitmentId?.S, image?.id?.S];
        if (!ids.includes(commitmentId)) continue;
        records.push({
          eventID: r.eventID,
          eventName: r.eventName,
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: 'ap-southeast-3',
          eventSourceARN: streamArn,
          dynamodb: {
            Keys: r.dynamodb?.Keys,
            NewImage: r.dynamodb?.NewImage,
            OldImage: r.dynamodb?.OldImage,
            SequenceNumber: r.dynamodb?.SequenceNumber,
            SizeBytes: r.dynamodb?.SizeBytes,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        } as DynamoDBRecord);
      }
      if ((page.Records ?? []).length === 0) break; // an open shard: nothing more now
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
};

describe('the reports read model', () => {
  let world: ReportWorld;
  let scopes: string[];

  beforeAll(async () => {
    world = await seedReportWorld(stack, {
      fiscalYear: FISCAL_YEAR,
      villages,
      nikDistrict: '159946',
      months: 3,
      target: 10,
    });
    scopes = [sponsorScope(world.staff.sponsorId, FISCAL_YEAR).id, yearScope(FISCAL_YEAR).id];
  }, 240_000);

  it('equals a rebuild from the source items once the projector has caught up (rebuilt = incremental)', async () => {
    // Act
    const check = await projectorCaughtUp(world, scopes);

    // Assess: the comparison covered the cells and the rollups of all three scopes, and found nothing.
    expect(check.differences).toEqual([]);
    expect(check.cells).toBe(villages.length + 1); // one per village, one for the commitment
    // Every region above the villages (a village has no rollup, only its cells) in each of the 3 scopes.
    expect(check.rollups).toBe(3 * new Set(villages.flatMap(ancestorsOf)).size);
  });

  it('agrees with the commitment API and the ledger to the rupiah', async () => {
    // Prepare
    await projectorCaughtUp(world, scopes);
    const { officer, sponsorId } = world.staff;

    // Act
    const budget = await officer.get(`/v1/reports/budget?commitmentId=${world.commitmentId}`);
    const commitment = await officer.get(`/v1/commitments/${world.commitmentId}`);
    const coverage = await officer.get('/v1/reports/coverage?region=15.71');

    // Assess
    expect(budget.status).toBe(200);
    const totals = commitment.body.totals;
    expect(budget.body).toMatchObject({
      committed: totals.budget,
      allocated: totals.allocated,
      unallocated: totals.unallocated,
      reserved: totals.reserved,
      spent: totals.spent,
      released: totals.released,
      remaining: totals.remaining,
      villages: villages.length,
    });
    const ledger = new LedgerRepository(db, stack.tables.ledger?.name ?? '');
    const allocations = await repositories(stack).commitments.allAllocations(world.commitmentId);
    let ledgerSpent = 0;
    for (const a of allocations) {
      const reconciliation = await ledger.reconcile(a);
      expect(reconciliation.problems).toEqual([]);
      ledgerSpent += reconciliation.fromLedger.spent;
    }
    expect(budget.body.spent).toBe(ledgerSpent);
    const burn = budget.body.burn as { period: string; spent: number; cumulativeSpent: number }[];
    expect(burn).toHaveLength(12);
    expect(burn.reduce((s, b) => s + b.spent, 0)).toBe(ledgerSpent);
    expect(burn[3]?.spent).toBe(0); // April is not rolled yet
    const covered = [...world.covered.values()].reduce((a, b) => a + b, 0);
    expect(budget.body.covered).toBe(covered);
    // March: every still-active worker, 16,800 each.
    expect(burn[2]?.spent).toBe(covered * MONTHLY_PREMIUM);
    expect(budget.body.invoices.paid.count).toBe(3 * villages.length);
    expect(budget.body.forecast.monthlyBurn).toBeGreaterThan(0);
    // The forecast stays within the fiscal year (issue 19): the money would last 15 months at this pace, but
    // the commitment pays for April–December only, the rest is a surplus at the close.
    const rolled = burn.slice(0, 3).reduce((sum, b) => sum + b.spent, 0);
    const unspent = budget.body.remaining + budget.body.reserved;
    expect(Math.floor((unspent * 3) / rolled)).toBeGreaterThan(9);
    expect(budget.body.forecast).toMatchObject({
      basis: [`${FISCAL_YEAR}-01`, `${FISCAL_YEAR}-02`, `${FISCAL_YEAR}-03`],
      monthsOfCoverageLeft: 9,
      fundedThrough: `${FISCAL_YEAR}-12`,
      yearEnd: `${FISCAL_YEAR}-12`,
      monthsToYearEnd: 9,
      lastsTheYear: true,
      neededToYearEnd: rolled * 3, // 9 months at a third of the three months' spending each
      surplusAtYearEnd: unspent - rolled * 3,
      shortfallToYearEnd: 0,
      nextYearNeed: rolled * 4,
    });

    expect(coverage.status).toBe(200);
    expect(coverage.body).toMatchObject({ fiscalYear: FISCAL_YEAR, sponsorId });
    const kotaJambi = villages.filter((v) => v.startsWith('15.71.'));
    expect(coverage.body.region).toMatchObject({
      code: '15.71',
      level: 'regency',
      target: 10 * kotaJambi.length,
      covered: kotaJambi.reduce((s, v) => s + (world.covered.get(v) ?? 0), 0),
    });
    // The trend by month, through March (the last month rolled): January's workers, the leaver enrolled in
    // February and terminated from March. No net growth since January: no month is projected for the target.
    const january = kotaJambi.reduce((s, _village, i) => s + 1 + (i % 3), 0);
    expect(coverage.body.trend).toEqual([
      { period: `${FISCAL_YEAR}-01`, covered: january },
      { period: `${FISCAL_YEAR}-02`, covered: january + 1 },
      { period: `${FISCAL_YEAR}-03`, covered: january },
    ]);
    expect(coverage.body.region.outlook).toEqual({
      status: 'not-at-current-rate',
      workersPerMonth: 0,
      basisMonths: 2,
    });
    const districts = coverage.body.children as { code: string; covered: number; name: string }[];
    expect(districts.map((d) => d.code)).toEqual(['15.71.01', '15.71.02']);
    expect(districts[0]?.name).toBeTruthy();
    const villageRows = await officer.get('/v1/reports/coverage?region=15&children=villages');
    expect(villageRows.body.children.map((v: { code: string }) => v.code)).toEqual([...villages].sort());
  });

  it('changes nothing when the stream delivers every record of the year again', async () => {
    // Prepare
    await projectorCaughtUp(world, scopes);
    const records = await streamRecordsOf(world.commitmentId);
    const { handler } = (await import('../../functions/stream/reports-projector.js')) as {
      handler: (event: DynamoDBStreamEvent, context: unknown) => Promise<void>;
    };

    // Act: redeliver, in batches of 100, as an event source mapping would after a failure.
    for (let i = 0; i < records.length; i += 100) {
      await handler({ Records: records.slice(i, i + 100) }, lambdaContext('reports-projector', 120));
    }

    // Assess
    expect(records.length).toBeGreaterThan(30);
    const check = await world.reports.rebuild({ commitmentIds: [world.commitmentId], write: false, scopes });
    expect(check.differences).toEqual([]);
  });

  it('writes each rollup at most once per batch, however many enrollments the batch holds', async () => {
    // Prepare: a batch of every enrollment of the busiest village, redelivered.
    await projectorCaughtUp(world, scopes);
    const village = villages[2] ?? '';
    const { Items = [] } = await db.send(
      new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
        TableName: stack.tables.ledger?.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': enrollmentsOfAllocation(world.commitmentId, village) },
      }),
    );
    const changes: SourceChange[] = Items.map((newImage) => ({ newImage }));
    const writes = new Map<string, number>();
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const counted = new DynamoDBClient({
      endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        if (['PutItemCommand', 'UpdateItemCommand'].includes(context.commandName ?? '')) {
          // The document client's input: plain values, or attribute values once marshalled.
          const input = (args as { input: { Item?: Record<string, unknown>; Key?: Record<string, unknown> } })
            .input;
          const key = input.Item ?? input.Key ?? {};
          const plain = (v: unknown) =>
            typeof v === 'object' && v !== null && 'S' in v ? String(v.S) : String(v);
          const name = `${plain(key.pk)}|${plain(key.sk)}`;
          writes.set(name, (writes.get(name) ?? 0) + 1);
        }
        return next(args);
      },
      { step: 'initialize', name: 'count-writes' },
    );
    const projector = new ReportsRepository(
      documentClient(counted),
      stack.tables.ledger?.name ?? '',
      stack.tables.reports?.name ?? '',
    );

    // Act
    const outcome = await projector.project(changes);

    // Assess: 3 enrollments, one cell, the village's 4 ancestors in each of 3 scopes, once each.
    expect(changes.length).toBe(3);
    expect(outcome).toMatchObject({ records: 3, cells: 1, rollups: 12 });
    expect(writes.size).toBe(13); // the cell and 12 rollups
    expect(Math.max(...writes.values())).toBe(1);
    expect(writes.get(`${reportKeys.node(yearScope(FISCAL_YEAR).id, '15').pk}|15`)).toBe(1);
  });

  it('finds a corrupted read model and the rebuild restores it exactly', async () => {
    // Prepare: a district rollup and a cell damaged behind the projector's back.
    await projectorCaughtUp(world, scopes);
    const reportsTable = stack.tables.reports?.name ?? '';
    const district = reportKeys.node(sponsorScope(world.staff.sponsorId, FISCAL_YEAR).id, '15.71.01');
    await db.send(
      new UpdateCommand({
        TableName: reportsTable,
        Key: district,
        UpdateExpression: 'SET covered = :n, spent = spent + :n',
        ExpressionAttributeValues: { ':n': 999 },
      }),
    );
    const village = villages[1] ?? '';
    await db.send(
      new UpdateCommand({
        TableName: reportsTable,
        Key: reportKeys.villageCell(FISCAL_YEAR, village, world.commitmentId),
        UpdateExpression: 'REMOVE alloc',
      }),
    );
    const damaged = await world.reports.rebuild({
      commitmentIds: [world.commitmentId],
      write: false,
      scopes,
    });

    // Act
    const rebuilt = await world.reports.rebuild({ commitmentIds: [world.commitmentId], write: true, scopes });

    // Assess
    expect(damaged.differences.some((d) => d.includes('15.71.01') && d.includes('covered 999'))).toBe(true);
    expect(damaged.differences.some((d) => d.startsWith('cell') && d.includes(village))).toBe(true);
    expect(rebuilt.differences).toEqual([]);
  });

  it('shows a village operator only its own village, and no budget', async () => {
    // Prepare
    const village = villages[0] ?? '';
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [village] });
    await projectorCaughtUp(world, scopes);

    // Act
    const own = await operator.get(`/v1/reports/coverage?region=${village}&fiscalYear=${FISCAL_YEAR}`);
    const other = await operator.get(`/v1/reports/coverage?region=${villages[1]}&fiscalYear=${FISCAL_YEAR}`);
    const district = await operator.get(`/v1/reports/coverage?region=15.71.01&fiscalYear=${FISCAL_YEAR}`);
    const budget = await operator.get(`/v1/reports/budget?commitmentId=${world.commitmentId}`);
    const workers = await operator.get(
      `/v1/reports/workers?commitmentId=${world.commitmentId}&villageCode=${village}`,
    );

    // Assess
    expect(own.status).toBe(200);
    expect(own.body.region).toMatchObject({ code: village, level: 'village', target: 10 });
    expect(own.body.region.covered).toBe(world.covered.get(village));
    expect(own.body.commitments).toEqual([]);
    expect(own.body.children).toEqual([
      expect.objectContaining({ code: world.commitmentId, level: 'commitment' }),
    ]);
    expect([other.status, district.status, budget.status]).toEqual([403, 403, 403]);
    expect(workers.status).toBe(200);
    expect(workers.body.items).toHaveLength(2);
    for (const w of workers.body.items) {
      expect(w.nikMasked).toMatch(/\*/);
      expect(w).not.toHaveProperty('nik');
      expect(w).not.toHaveProperty('nikKey');
    }
  });

  it('opens on the running year, not on a draft of next year or a later approved one', async () => {
    // Prepare: a sponsor with an approved commitment of the running year, a draft of the next, and an approved
    // one two years on; another with only last year approved and a draft of the next.
    const running = Number(new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4)); // Asia/Jakarta
    const [a, b] = await Promise.all([sponsorWithStaff(stack), sponsorWithStaff(stack)]);
    const terms = { villages: villages.slice(0, 1), perVillage: 1_000_000 };
    await activeCommitment(a, { ...terms, fiscalYear: running });
    await activeCommitment(a, { ...terms, fiscalYear: running + 2 });
    await activeCommitment(b, { ...terms, fiscalYear: running - 1 });
    for (const staff of [a, b]) {
      const draft = await staff.officer.post(
        '/v1/commitments',
        commitmentDraft(staff.sponsorId, { ...terms, fiscalYear: running + 1 }),
      );
      expect(draft.status).toBe(201);
    }
    const opened = (staff: typeof a, years: number) =>
      eventually(
        async () => {
          const answer = await staff.officer.get('/v1/reports/coverage?region=15');
          return answer.body.fiscalYears?.length === years ? answer : undefined;
        },
        { what: 'the projector to know every year of the sponsor' },
      );

    // Act
    const [ofA, ofB] = await Promise.all([opened(a, 3), opened(b, 2)]);

    // Assess
    expect(ofA.status).toBe(200);
    expect(ofA.body).toMatchObject({ fiscalYear: running, fiscalYears: [running + 2, running + 1, running] });
    expect(ofB.body).toMatchObject({ fiscalYear: running - 1, fiscalYears: [running + 1, running - 1] });
  });
});
