/**
 * Lists a sponsor uploads for its commitments' eligibility (issue 19): the P3KE extreme-poverty list, say. A
 * member is one item keyed by the keyed hash of the NIK (nik-key.ts), so the list holds no NIK at all: it
 * can answer whether a worker is on it, never who is.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './client.js';
import { listMemberKey, listPartition } from './keys.js';
import { nikKey } from './nik-key.js';

export class ListRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts the NIKs on the list (a NIK already on it stays, once). */
  async add(sponsorId: string, list: string, niks: readonly string[], addedBy: string): Promise<void> {
    const addedAt = new Date().toISOString();
    await batchWriteAll(
      this.db,
      this.tableName,
      this.keysOf(sponsorId, list, niks).map((key) => ({
        // The key names the sponsor and the list; the item adds only who put the worker on it, and when.
        PutRequest: { Item: { ...key, entity: 'list-member', addedBy, addedAt } },
      })),
    );
  }

  /** Takes the NIKs off the list (one not on it is no error). */
  async remove(sponsorId: string, list: string, niks: readonly string[]): Promise<void> {
    await batchWriteAll(
      this.db,
      this.tableName,
      this.keysOf(sponsorId, list, niks).map((key) => ({ DeleteRequest: { Key: key } })),
    );
  }

  /** Whether a worker is on the list. */
  async has(sponsorId: string, list: string, nik: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: listMemberKey(sponsorId, list, nikKey(nik)),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /** How many workers are on the list (a count of its partition, page by page). */
  async size(sponsorId: string, list: string): Promise<number> {
    let members = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': listPartition(sponsorId, list) },
          Select: 'COUNT',
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      members += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return members;
  }

  /** The distinct keys of `niks` on a list (a NIK twice in one upload is one write). */
  private keysOf(sponsorId: string, list: string, niks: readonly string[]) {
    return [...new Set(niks)].map((nik) => listMemberKey(sponsorId, list, nikKey(nik)));
  }
}
