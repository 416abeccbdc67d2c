/** Bulk imports through the API as a client runs them: post, then poll the job until every row has a result. */
import { expect } from 'vitest';
import type { Answer, Caller } from './api-client.js';
import { eventually } from './local-stack.js';

export const importPath = (village: string) => `/v1/villages/${village}/enrollments/import`;

/** Polls an import job until it is done; answers the job and every per-row result, in row order. */
export const importResults = async (operator: Caller, jobId: string, timeoutMs = 180_000) => {
  const job = await eventually(
    async () => {
      const answer = await operator.get(`/v1/imports/${jobId}?limit=1`);
      expect(answer.status).toBe(200);
      return answer.body.state === 'done' ? answer.body : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `import job ${jobId} to finish` },
  );
  // biome-ignore lint/suspicious/noExplicitAny: results are asserted field by field
  const rows: any[] = [];
  let token: string | undefined;
  do {
    const page: Answer = await operator.get(
      `/v1/imports/${jobId}?limit=1000${token ? `&pageToken=${token}` : ''}`,
    );
    rows.push(...page.body.items);
    token = page.body.nextPageToken;
  } while (token);
  return { job, rows };
};

/** Posts an import, expects 202, and waits for its results. */
export const importAndWait = async (
  operator: Caller,
  village: string,
  body: unknown,
  headers?: Record<string, string>,
) => {
  const posted = await operator.post(importPath(village), body, headers);
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  return importResults(operator, posted.body.id);
};
