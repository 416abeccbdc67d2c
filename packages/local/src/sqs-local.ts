import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

export interface SqsLocalOptions {
  readonly port: number;
  /**
   * Folder for the queues' SQLite file; absent means in memory. Every send, receive (with its visibility
   * deadline), visibility change and delete is written there before fauxqs answers the request, so queued
   * work survives `kill -9` of the whole stack.
   */
  readonly dataDir?: string;
}

export interface SqsLocal {
  readonly endpoint: string;
  /** Messages that were in flight when the previous run died and were made visible again at this start. */
  readonly released: number;
  stop(): Promise<void>;
}

interface NodeSqlite {
  DatabaseSync: {
    new (
      path: string,
    ): {
      prepare(sql: string): { run(): { changes: number | bigint } };
      close(): void;
    };
    prototype: { exec(this: unknown, sql: string): unknown };
  };
}

/** `node:sqlite` (Node ≥ 22.5), through a specifier TypeScript does not resolve: the pinned @types/node has none. */
const nodeSqlite = async (): Promise<NodeSqlite> => {
  const specifier = 'node:sqlite';
  return (await import(specifier)) as NodeSqlite;
};

/** fauxqs' file in its data folder. */
const FAUXQS_DB = 'fauxqs.db';

/**
 * fauxqs writes through to SQLite in WAL mode with SQLite's default `synchronous = FULL`: an fsync per
 * message operation, about 7 ms each on a plain disk, which makes a persistent local stack several times
 * slower than an in-memory one. `NORMAL` keeps every committed write across a crash of the process
 * (`kill -9`) and only risks the last writes on a power cut, which is what a development stack needs.
 * fauxqs (2.4.1) has no option for it, so the pragma is added to the one `journal_mode` statement its
 * PersistenceManager runs while it opens the file, synchronously inside `startFauxqs`. Remove this once
 * fauxqs takes a `synchronous` option. If fauxqs stops issuing that statement, nothing breaks: the queues
 * stay durable, only slower.
 */
const withCrashSafeSqliteWrites = async <T>(open: () => Promise<T>): Promise<T> => {
  const { DatabaseSync } = await nodeSqlite();
  const exec = DatabaseSync.prototype.exec;
  DatabaseSync.prototype.exec = function (this: unknown, sql: string) {
    const result = exec.call(this, sql);
    if (/^\s*PRAGMA\s+journal_mode\s*=\s*WAL\s*;?\s*$/i.test(sql))
      exec.call(this, 'PRAGMA synchronous = NORMAL');
    return result;
  };
  // startFauxqs opens the file before its first await; the original is back before anything else runs.
  const opening = open();
  DatabaseSync.prototype.exec = exec;
  return opening;
};

/**
 * Starts the fauxqs SQS emulator in this process, persistent when given a folder. The only receivers of
 * these queues are this process's pollers and handlers, so a message still in flight at start was taken
 * by a run that died: it is made visible again now instead of after its visibility timeout (up to 3
 * minutes). Its receive count stays raised, so a message that crashes the stack every time still ends in
 * its dead-letter queue.
 */
export const startSqsLocal = async (options: SqsLocalOptions): Promise<SqsLocal> => {
  const released = options.dataDir ? await releaseInFlight(join(options.dataDir, FAUXQS_DB)) : 0;
  const server = await withCrashSafeSqliteWrites(() =>
    startFauxqs({ port: options.port, logger: false, ...(options.dataDir && { dataDir: options.dataDir }) }),
  );
  return { endpoint: server.address, released, stop: () => server.stop() };
};

/**
 * Before fauxqs loads its file: every message recorded in flight gets a visibility deadline in the past,
 * so fauxqs' own load puts it back in its queue and clears its receipt, keeping its receive count. (Not
 * through ChangeMessageVisibility to 0: fauxqs 2.4.1 then writes a NULL receive count, which its schema
 * refuses.) Coupled to fauxqs' table layout: if that changes, the statement fails and the messages come
 * back after their visibility timeout instead, as on SQS.
 */
const releaseInFlight = async (file: string): Promise<number> => {
  if (!existsSync(file)) return 0;
  const { DatabaseSync } = await nodeSqlite();
  const db = new DatabaseSync(file);
  try {
    const { changes } = db
      .prepare(
        'UPDATE sqs_messages SET visibility_deadline = 1 WHERE receipt_handle IS NOT NULL AND visibility_deadline > 1',
      )
      .run();
    return Number(changes);
  } catch {
    return 0;
  } finally {
    db.close();
  }
};

/**
 * Earlier versions kept messages in memory and wrote their bodies to `queues.json` only at a clean stop.
 * A data folder from such a version still has that file: its messages are sent once into the now
 * persistent queues and the file is removed. Delivery is at-least-once, as on SQS.
 */
export const importLegacyQueueSnapshot = async (
  file: string,
  sqs: SQSClient,
  urlOf: (queueName: string) => string | undefined,
): Promise<number> => {
  let snapshot: Record<string, string[]>;
  try {
    snapshot = JSON.parse(await readFile(file, 'utf8')) as Record<string, string[]>;
  } catch {
    return 0;
  }
  let restored = 0;
  for (const [name, bodies] of Object.entries(snapshot)) {
    const url = urlOf(name);
    if (!url) continue;
    for (let i = 0; i < bodies.length; i += 10) {
      const entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      restored += entries.length;
    }
  }
  await rm(file, { force: true });
  return restored;
};
