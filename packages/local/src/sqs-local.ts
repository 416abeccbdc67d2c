import { readFile, rm } from 'node:fs/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  ListQueuesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
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
  // Through a specifier TypeScript does not resolve: the pinned @types/node (20) has no node:sqlite.
  const specifier = 'node:sqlite';
  const { DatabaseSync } = (await import(specifier)) as {
    DatabaseSync: { prototype: { exec(this: unknown, sql: string): unknown } };
  };
  const exec = DatabaseSync.prototype.exec;
  DatabaseSync.prototype.exec = function (this: unknown, sql: string) {
    const result = exec.call(this, sql);
    if (/^\s*PRAGMA\s+journal_mode\s*=\s*WAL\s*;?\s*$/i.test(sql)) exec.call(this, 'PRAGMA synchronous = NORMAL');
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
  const server = await withCrashSafeSqliteWrites(() =>
    startFauxqs({ port: options.port, logger: false, ...(options.dataDir && { dataDir: options.dataDir }) }),
  );
  let released = 0;
  try {
    released = await releaseInFlight(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { endpoint: server.address, released, stop: () => server.stop() };
};

type FauxqsServer = Awaited<ReturnType<typeof startFauxqs>>;

/** Makes every in-flight message of every queue visible again, through fauxqs' API (so it is persisted). */
const releaseInFlight = async (server: FauxqsServer): Promise<number> => {
  const sqs = new SQSClient({
    endpoint: server.address,
    region: 'ap-southeast-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  try {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    let released = 0;
    for (const url of QueueUrls) {
      const inflight = server.inspectQueue(url.split('/').at(-1) ?? '')?.messages.inflight ?? [];
      for (let i = 0; i < inflight.length; i += 10) {
        const entries = inflight.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.receiptHandle,
          VisibilityTimeout: 0,
        }));
        await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
        released += entries.length;
      }
    }
    return released;
  } finally {
    sqs.destroy();
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
