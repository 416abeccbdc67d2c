/**
 * A bulk import as a client runs it since imports became jobs: post the rows (202 with the job), then look at
 * the job until every row has a result. The demo and the benchmarks use it; the counts of the job (enrolled,
 * refused by code) are all they read, so the per-row pages are not fetched.
 */
import type { Schemas } from '@lindung/api-client';
import type { LindungClient } from '@lindung/cli';

/** An import job as `GET /v1/imports/{id}` shows it (the generated contract's schema). */
export type ImportJobAnswer = Schemas['ImportJob'];

export interface ImportOptions {
  readonly idempotencyKey?: string;
  /** Give up (throw) after this long without the job finishing. */
  readonly timeoutMs?: number;
  /** Called at every look at the job, e.g. for a progress line. */
  readonly onProgress?: (job: ImportJobAnswer) => void;
}

/** Posts an import of `body` into `villageCode` and resolves to the job once it is done. */
export const importAndWait = async (
  client: LindungClient,
  villageCode: string,
  body: { readonly commitmentId: string; readonly rows: readonly unknown[] },
  { idempotencyKey, timeoutMs = 30 * 60_000, onProgress }: ImportOptions = {},
): Promise<ImportJobAnswer> => {
  const posted = await client.post<ImportJobAnswer>(
    `/v1/villages/${encodeURIComponent(villageCode)}/enrollments/import`,
    body,
    idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {},
  );
  return waitForImport(client, posted.id, { timeoutMs, ...(onProgress && { onProgress }) });
};

/** Looks at an import job, at most a second apart, until it is done. */
export const waitForImport = async (
  client: LindungClient,
  jobId: string,
  { timeoutMs = 30 * 60_000, onProgress }: Omit<ImportOptions, 'idempotencyKey'> = {},
): Promise<ImportJobAnswer> => {
  const deadline = Date.now() + timeoutMs;
  for (let interval = 50; ; interval = Math.min(1_000, interval * 2)) {
    const job = await client.get<ImportJobAnswer>(`/v1/imports/${encodeURIComponent(jobId)}?limit=1`);
    onProgress?.(job);
    if (job.state === 'done') return job;
    if (Date.now() > deadline) {
      throw new Error(
        `import job ${jobId} is still ${job.state} after ${Math.round(timeoutMs / 1000)} s (${job.rows.done} of ${job.rows.total} rows done)${job.stalledSince ? `, stalled since ${job.stalledSince}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
};
