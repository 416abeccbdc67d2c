import { readFile, rm, writeFile } from 'node:fs/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

export interface SqsLocal {
  readonly endpoint: string;
  /** Bodies of every message (ready, delayed or in flight) of the named queues. */
  snapshot(queueNames: readonly string[]): Record<string, string[]>;
  stop(): Promise<void>;
}

/** Starts the fauxqs SQS emulator in this process. Its state lives in memory. */
export const startSqsLocal = async (port: number): Promise<SqsLocal> => {
  const server = await startFauxqs({ port, logger: false });
  return {
    endpoint: server.address,
    snapshot: (queueNames) =>
      Object.fromEntries(
        queueNames.map((name) => {
          const queue = server.inspectQueue(name);
          const messages = queue
            ? [
                ...queue.messages.ready,
                ...queue.messages.delayed,
                ...queue.messages.inflight.map((i) => i.message),
              ]
            : [];
          return [name, messages.map((m) => m.body)];
        }),
      ),
    stop: () => server.stop(),
  };
};

/**
 * fauxqs keeps messages in memory only. So that a persistent local stack loses no message across a
 * restart, the bodies are written to a file at shutdown and sent again at the next start. Delivery is
 * at-least-once, as on SQS: every consumer is idempotent.
 */
export const saveQueueSnapshot = async (file: string, snapshot: Record<string, string[]>): Promise<void> => {
  await writeFile(file, JSON.stringify(snapshot));
};

export const restoreQueueSnapshot = async (
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
