/**
 * The reports repository's write paths against a mocked document client, for what DynamoDB Local cannot be
 * made to do on demand (unprocessed batch items, a lost race on a rollup's version) and for how many reads a
 * batch costs. The figures themselves are proved against the local stack (test/e2e/reports.test.ts).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient, NATIONAL, ReportsRepository, reportKeys, yearScope } from '@lindung/store';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

const db = documentClient(new DynamoDBClient({ region: 'ap-southeast-3' }));
const mock = mockClient(db);
const VILLAGE = '15.71.01.1001';
const allocation = {
  entity: 'allocation',
  pk: 'COMMITMENT#C1',
  sk: `ALLOC#${VILLAGE}`,
  commitmentId: 'C1',
  villageCode: VILLAGE,
  sponsorId: 'S1',
  fiscalYear: 2031,
  budget: 201_600,
  available: 201_600,
};
const reports = () => new ReportsRepository(db, 'ledger', 'reports');

beforeEach(() => {
  mock.reset();
  mock.on(GetCommand).resolves({});
  mock.on(BatchGetCommand).resolves({ Responses: {} });
  mock.on(UpdateCommand).resolves({});
  mock.on(QueryCommand).resolves({ Items: [] });
  mock.on(PutCommand).resolves({});
});

describe('ReportsRepository', () => {
  it('writes no rollup of a village, reads its district’s cells once for the three scopes, and each level’s versions in one request', async () => {
    // Act
    const outcome = await reports().project([{ newImage: allocation }]);

    // Assess: the village's 4 ancestors in 3 scopes, the district's from one Query of its villages' cells.
    expect(outcome).toEqual({ records: 1, cells: 1, rollups: 12 });
    const cellReads = mock
      .commandCalls(QueryCommand)
      .filter(({ args }) =>
        String(args[0].input.ExpressionAttributeValues?.[':pk']).startsWith('CELL#2031#15'),
      );
    expect(cellReads.map(({ args }) => args[0].input.ExpressionAttributeValues)).toEqual([
      { ':pk': 'CELL#2031#15', ':prefix': '15.71.01.' },
    ]);
    const rollupPuts = mock.commandCalls(PutCommand).filter(({ args }) => args[0].input.Item?.scope);
    expect(rollupPuts).toHaveLength(12);
    expect(rollupPuts.filter(({ args }) => args[0].input.Item?.code === VILLAGE)).toHaveLength(0);
    // District, regency, province, root: one BatchGetItem each for the three scopes' versions.
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(4);
    expect(mock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('recomputes a rollup whose version a concurrent recompute changed, reading it again', async () => {
    // Prepare: the first write of the national rollup of the year loses a race.
    const national = reportKeys.node(yearScope(2031).id, NATIONAL);
    const isNational = (key: Record<string, unknown> | undefined) =>
      key?.pk === national.pk && key?.sk === national.sk;
    let lost = false;
    mock.on(PutCommand).callsFake(({ Item }: { Item: Record<string, unknown> }) => {
      if (isNational(Item) && !lost) {
        lost = true;
        throw new ConditionalCheckFailedException({ message: 'version moved', $metadata: {} });
      }
      return {};
    });

    // Act
    await reports().project([{ newImage: allocation }]);

    // Assess
    const puts = mock.commandCalls(PutCommand).filter(({ args }) => isNational(args[0].input.Item));
    const versionReads = mock
      .commandCalls(BatchGetCommand)
      .filter(({ args }) => args[0].input.RequestItems?.reports?.Keys?.some(isNational));
    expect(puts).toHaveLength(2);
    expect(versionReads).toHaveLength(2);
  });

  it('sends the target items DynamoDB left unprocessed again until none is left', async () => {
    // Prepare: the first batch leaves the second village's target unprocessed.
    const villages = [VILLAGE, '15.71.01.1002'];
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: {
          reports: [{ PutRequest: { Item: { ...reportKeys.node('T', '15.71.01.1002'), target: 7 } } }],
        },
      })
      .resolves({});

    // Act
    const written = await reports().putTargets({ [VILLAGE]: 5, '15.71.01.1002': 7 });

    // Assess
    const batches = mock
      .commandCalls(BatchWriteCommand)
      .map(({ args }) => args[0].input.RequestItems?.reports);
    expect(written).toBe(villages.length);
    expect(batches.map((requests) => requests?.length)).toEqual([2, 1]);
    expect(batches[1]?.[0]?.PutRequest?.Item?.sk).toBe('15.71.01.1002');
  });

  it('deletes in a full rebuild the village rollups stored before villages had none, and keeps the rest', async () => {
    // Prepare: one commitment with one village's allocation in the ledger; the reports table holds that
    // village's rollup of the old layout, its district's rollup and the village's target.
    const commitment = { entity: 'commitment', id: 'C1', sponsorId: 'S1', fiscalYear: 2031, budget: 201_600 };
    mock.on(ScanCommand, { TableName: 'ledger' }).resolves({ Items: [{ id: 'C1' }] });
    mock.on(GetCommand, { TableName: 'ledger' }).resolves({ Item: commitment });
    mock.on(QueryCommand).callsFake(({ TableName, ExpressionAttributeValues }) => ({
      Items:
        TableName === 'ledger' && ExpressionAttributeValues?.[':pk'] === allocation.pk ? [allocation] : [],
    }));
    const rollup = (code: string, pk: string) => ({
      pk,
      sk: code,
      entity: 'report-rollup',
      scope: 'Y#2031',
      code,
    });
    const oldVillageRollup = rollup(VILLAGE, 'Y#2031#V#15');
    const districtRollup = rollup('15.71.01', 'Y#2031#15.71');
    const target = { ...reportKeys.node('T', VILLAGE), entity: 'report-target', code: VILLAGE, target: 5 };
    mock
      .on(ScanCommand, { TableName: 'reports' })
      .resolves({ Items: [oldVillageRollup, districtRollup, target] });
    mock.on(DeleteCommand).resolves({});

    // Act
    await reports().rebuild({ write: true });

    // Assess: the village's allocation is rebuilt into a cell, and only the village rollup is gone.
    expect(
      mock.commandCalls(PutCommand).some(({ args }) => args[0].input.Item?.entity === 'report-cell'),
    ).toBe(true);
    expect(mock.commandCalls(DeleteCommand).map(({ args }) => args[0].input.Key)).toEqual([
      { pk: 'Y#2031#V#15', sk: VILLAGE },
    ]);
  });
});
