/**
 * The local SQS emulator on a data folder keeps its queues through `kill -9` (issue 14): ready, delayed and
 * dead-lettered messages come back, deleted ones do not, and a message in flight when the process died is
 * visible again at once (its receiver died with it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startSqsLocal } from '../../../packages/local/src/sqs-local.js';

const childScript = fileURLToPath(new URL('../../support/sqs-crash-child.ts', import.meta.url));

/** Runs the child on `dataDir` until it is READY, then kills it with SIGKILL. */
const crashAfterSetUp = async (dataDir: string) => {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before READY:\n${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  return exited;
};

const bodies = async (sqs: SQSClient, queueUrl: string) => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages.map((m) => `${m.Body}#${m.Attributes?.ApproximateReceiveCount}`).sort();
};

describe('the persistent local SQS emulator', () => {
  it('keeps ready, delayed and dead-lettered messages through kill -9, and releases the one in flight', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'lindung-sqs-'));
    try {
      expect(await crashAfterSetUp(dataDir)).toBe('SIGKILL');

      // Act
      const restarted = await startSqsLocal({ port: 0, dataDir });
      const sqs = new SQSClient({
        endpoint: restarted.endpoint,
        region: 'ap-southeast-3',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        useQueueUrlAsEndpoint: false,
      });
      try {
        const main = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'durable' }))).QueueUrl ?? '';
        const dlq = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'durable-dlq' }))).QueueUrl ?? '';
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: main,
            AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
          }),
        );

        // Assess: the in-flight one is back with its first receive counted; the deleted one is gone
        expect(restarted.released).toBe(1);
        expect(await bodies(sqs, main)).toEqual(['in-flight#2', 'ready#1']);
        expect(Attributes.ApproximateNumberOfMessagesDelayed).toBe('1');
        expect(await bodies(sqs, dlq)).toEqual(['dead-lettered#4']);
      } finally {
        sqs.destroy();
        await restarted.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
