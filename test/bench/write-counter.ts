/**
 * Counts the DynamoDB requests an SDK client sends (all of them by command), and its writes in detail: requests (refused conditions included: DynamoDB charges
 * for them too) and the write capacity units DynamoDB reports, by table and by village. Every write is sent
 * with `ReturnConsumedCapacity: 'TOTAL'`; DynamoDB Local reports units like DynamoDB (1 per KB written, 2
 * per KB in a transaction). A request that fails reports no units, so units count successful writes only.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

/** Requests and units. */
export interface WriteFigures {
  requests: number;
  units: number;
}

export interface WriteTally {
  readonly total: WriteFigures;
  readonly byTable: Record<string, WriteFigures>;
  /** By table, then by the village code the request names (`other` when it names none). */
  readonly byVillage: Record<string, Record<string, WriteFigures>>;
  /** Requests refused (a failed condition, a cancelled transaction, a throttle). */
  refused: number;
  /** Every request by command, reads included (e.g. `GetItemCommand`). */
  readonly byCommand: Record<string, number>;
}

const VILLAGE = /\d{2}\.\d{2}\.\d{2}\.\d{4}/;

interface WriteInput {
  TableName?: string;
  ReturnConsumedCapacity?: string;
  TransactItems?: Record<string, { TableName?: string } | undefined>[];
  RequestItems?: Record<string, unknown>;
}

interface Consumed {
  TableName?: string;
  CapacityUnits?: number;
}

const tablesOf = (input: WriteInput): string[] => {
  if (input.TableName) return [input.TableName];
  if (input.TransactItems) {
    return [
      ...new Set(
        input.TransactItems.flatMap((item) =>
          Object.values(item).flatMap((action) => (action?.TableName ? [action.TableName] : [])),
        ),
      ),
    ];
  }
  return Object.keys(input.RequestItems ?? {});
};

const add = (figures: Record<string, WriteFigures>, key: string, requests: number, units: number) => {
  const entry = figures[key] ?? { requests: 0, units: 0 };
  entry.requests += requests;
  entry.units += units;
  figures[key] = entry;
};

/** The figures of one table by village, created on first use. */
const villagesOf = (tally: WriteTally, table: string): Record<string, WriteFigures> => {
  const byVillage = tally.byVillage[table] ?? {};
  tally.byVillage[table] = byVillage;
  return byVillage;
};

/** A fresh tally. */
export const emptyTally = (): WriteTally => ({
  total: { requests: 0, units: 0 },
  byTable: {},
  byVillage: {},
  refused: 0,
  byCommand: {},
});

/** An SDK client (or a document client, which shares its client's middleware stack). */
export type CountedClient = Pick<DynamoDBClient, 'middlewareStack'>;

/**
 * Starts counting the writes of `clients` (each client once: a document client and the client it wraps share
 * one stack); `stop()` removes the middleware and returns the tally.
 */
export const countWrites = (clients: readonly CountedClient[], name = `count-writes-${Math.random()}`) => {
  const tally = emptyTally();
  let paused = false;
  const count = async <R extends { output: unknown }>(
    commandName: string | undefined,
    input: WriteInput,
    send: () => Promise<R>,
  ): Promise<R> => {
    if (paused) return send();
    const command = commandName ?? 'unknown';
    tally.byCommand[command] = (tally.byCommand[command] ?? 0) + 1;
    if (!WRITES.has(command)) return send();
    input.ReturnConsumedCapacity ??= 'TOTAL';
    const village = VILLAGE.exec(JSON.stringify(input))?.[0] ?? 'other';
    const tables = tablesOf(input);
    tally.total.requests++;
    for (const table of tables) {
      add(tally.byTable, table, 1 / tables.length, 0);
      add(villagesOf(tally, table), village, 1 / tables.length, 0);
    }
    try {
      const result = await send();
      const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const units = c.CapacityUnits ?? 0;
        tally.total.units += units;
        add(tally.byTable, c.TableName ?? 'unknown', 0, units);
        add(villagesOf(tally, c.TableName ?? 'unknown'), village, 0, units);
      }
      return result;
    } catch (error) {
      tally.refused++;
      throw error;
    }
  };
  for (const client of clients) {
    client.middlewareStack.add(
      (next, context) => (args) => count(context.commandName, args.input as WriteInput, () => next(args)),
      { step: 'initialize', name },
    );
  }
  return {
    tally,
    /** Stops counting for a while (another path's turn in an interleaved run); `resume()` goes on. */
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    stop: (): WriteTally => {
      for (const client of clients) client.middlewareStack.remove(name);
      return tally;
    },
  };
};
