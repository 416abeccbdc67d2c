/**
 * Exactly once per `Idempotency-Key` (I6), through the local stack's HTTP API: bursts of concurrent requests
 * with one key, then a later retry. Counts what the requests created in storage, so a second execution cannot
 * hide behind a plausible answer. Prints its figures.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@lindung/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { caller, nikIn } from '../support/api-client.js';
import type { ProvidedLocalStack } from '../support/global-local-stack.js';
import { localClients, localStack } from '../support/local-stack.js';
import { activeCommitment, sponsorWithStaff } from '../support/scenario.js';

/** Trials per route: the 200, for sponsor creation and for enrollment alike. */
const TRIALS = 200;
/** Concurrent requests with one key in a trial. */
const BURST = 5;
/** Trials run side by side: keeps the suite short and adds contention between keys, not within one. */
const PARALLEL_TRIALS = 4;

const VILLAGE = '15.03.01.2001';
/** This file's NIKs (district 15.03.01; every test file takes its own district). */
const nik = (serial: number) => nikIn('150301', serial);

interface WireAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

const post = async (
  stack: ProvidedLocalStack,
  token: string | undefined,
  path: string,
  body: unknown,
  key: string,
): Promise<WireAnswer> => {
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
};

interface TrialResult {
  readonly burst: readonly WireAnswer[];
  readonly retry: WireAnswer;
}

/** `BURST` concurrent requests with one key, then, once all are answered, one more retry with the same key. */
const trial = async (send: () => Promise<WireAnswer>): Promise<TrialResult> => {
  const burst = await Promise.all(Array.from({ length: BURST }, send));
  const retry = await send();
  return { burst, retry };
};

/** Runs `count` trials, `PARALLEL_TRIALS` at a time, in order of their index. */
const trials = async (count: number, run: (i: number) => Promise<TrialResult>): Promise<TrialResult[]> => {
  const results: TrialResult[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL_TRIALS }, async () => {
      for (let i = next++; i < count; i = next++) results[i] = await run(i);
    }),
  );
  return results;
};

/** Checks one trial: one execution's answer, replayed to every request that did not meet it in progress. */
const expectExactlyOnce = (result: TrialResult, created: number) => {
  const executed = result.burst.filter((a) => a.status === created);
  const waiting = result.burst.filter((a) => a.status !== created);
  expect(executed.length).toBeGreaterThanOrEqual(1);
  for (const answer of executed) expect(answer.body).toEqual(executed[0]?.body);
  for (const answer of waiting) {
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('idempotency-in-progress');
    expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  }
  expect(result.retry.status).toBe(created);
  expect(result.retry.body).toEqual(executed[0]?.body);
};

const figures = (what: string, results: readonly TrialResult[], stored: number, seconds: number) => {
  const answers = results.flatMap((r) => r.burst);
  const count = (status: number) => answers.filter((a) => a.status === status).length;
  const replayed = results.filter((r) => {
    const first = r.burst.find((a) => a.status < 300);
    return r.retry.status === first?.status && JSON.stringify(r.retry.body) === JSON.stringify(first.body);
  }).length;
  console.info(
    `${what}: ${results.length} trials × ${BURST} concurrent + 1 retry in ${seconds.toFixed(1)} s — ` +
      `burst answers ${count(201)} × 201, ${count(409)} × 409 idempotency-in-progress; ` +
      `${stored} created in storage (double executions: ${stored - results.length}); ` +
      `later retries replaying the first answer: ${replayed}/${results.length}`,
  );
};

describe('exactly once per Idempotency-Key (I6), through HTTP', () => {
  const stack = localStack();
  const db = documentClient(localClients(stack).dynamodb);
  const ledger = stack.tables.ledger?.name ?? '';
  const run = Date.now().toString(36);

  let adminToken: string | undefined;
  beforeAll(async () => {
    adminToken = (await caller(stack, { roles: ['admin'], sub: `admin-${run}` })).token;
  });

  /** Sponsors stored under a name that starts with `prefix`, counted per name. */
  const sponsorsNamed = async (prefix: string): Promise<Map<string, number>> => {
    const names = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({
          TableName: ledger,
          FilterExpression: 'sk = :sponsor AND begins_with(#name, :prefix)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':sponsor': 'SPONSOR', ':prefix': prefix },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) names.set(item.name, (names.get(item.name) ?? 0) + 1);
      start = page.LastEvaluatedKey;
    } while (start);
    return names;
  };

  it(`creates one sponsor per key in ${TRIALS} bursts of ${BURST}, and a later retry replays its 201`, async () => {
    // Prepare
    const prefix = `Exactly once ${run} `;
    const started = performance.now();

    // Act
    const results = await trials(TRIALS, (i) => {
      const body = { name: `${prefix}${i}`, kind: 'regency', regionCode: '15.03' };
      return trial(() => post(stack, adminToken, '/v1/sponsors', body, `sponsor-${run}-${i}`));
    });
    const seconds = (performance.now() - started) / 1000;

    // Assess
    const stored = await sponsorsNamed(prefix);
    const total = [...stored.values()].reduce((sum, n) => sum + n, 0);
    figures('POST /v1/sponsors', results, total, seconds);
    for (const result of results) expectExactlyOnce(result, 201);
    expect(stored.size).toBe(TRIALS);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(results.map((r) => r.retry.body.id)).size).toBe(TRIALS);
  });

  it(`enrolls one worker per key in ${TRIALS} bursts of ${BURST}, and a later retry replays its 201`, async () => {
    // Prepare: one month per worker (December), so that the village's quota holds every trial's worker.
    const staff = await sponsorWithStaff(stack);
    const commitmentId = await activeCommitment(staff, { villages: [VILLAGE] });
    const operator = await caller(stack, { roles: ['village-operator'], villageCodes: [VILLAGE] });
    const path = `/v1/villages/${VILLAGE}/enrollments`;
    const started = performance.now();

    // Act
    const results = await trials(TRIALS, (i) => {
      const body = { commitmentId, worker: { nik: nik(i + 1) }, startPeriod: '2027-12' };
      return trial(() => post(stack, operator.token, path, body, `enroll-${run}-${i}`));
    });
    const seconds = (performance.now() - started) / 1000;

    // Assess
    const { body: commitment } = await staff.officer.get(`/v1/commitments/${commitmentId}`);
    const totals = commitment.totals as { enrolledWorkers: number; reserved: number };
    figures(`POST ${path}`, results, totals.enrolledWorkers, seconds);
    for (const result of results) expectExactlyOnce(result, 201);
    // The key's record is written by the enrollment's own transaction, already answered: there is no
    // in-progress window, so a concurrent request with the key gets the stored answer, never a 409.
    expect(results.flatMap((r) => r.burst).filter((a) => a.status !== 201)).toEqual([]);
    expect(totals.enrolledWorkers).toBe(TRIALS);
    expect(totals.reserved).toBe(TRIALS * 16_800);
    expect(new Set(results.map((r) => r.retry.body.id)).size).toBe(TRIALS);
  });
});
