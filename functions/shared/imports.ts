/** Puts import jobs on the import-work queue: the HTTP API starts them, the import worker hands them on. */
import { importWorkMessage, importWorkQueue, message, publisher, queueUrlFromEnv } from '@lindung/messaging';
import { sqsClient } from './clients.js';

/** Queues the job from `cursor`; the message id names the slice, so a resent one is recognisably the same. */
export const continueImport = (jobId: string, cursor: number, delaySeconds?: number): Promise<void> =>
  publisher(sqsClient, queueUrlFromEnv(importWorkQueue), importWorkMessage).send(
    [message('import.requested', `import:${jobId}:${cursor}${delaySeconds ? ':later' : ''}`, { jobId })],
    delaySeconds ? { delaySeconds } : {},
  );
