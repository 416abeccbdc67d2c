import { describe, expect, it } from 'vitest';
import { mapConcurrently, retrying } from '../../../packages/core/src/retry.js';

class Transient extends Error {}

describe('retrying', () => {
  it('tries a transient failure again until it succeeds', async () => {
    const attempts: number[] = [];
    const result = await retrying(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Transient('busy');
        return 'done';
      },
      { attempts: 5, retryIf: (e) => e instanceof Transient, minDelayMs: 1, maxDelayMs: 2 },
    );
    expect(result).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('throws at once an error it is not told to retry', async () => {
    let calls = 0;
    const failing = retrying(
      async () => {
        calls++;
        throw new Error('refused');
      },
      { attempts: 5, retryIf: (e) => e instanceof Transient, minDelayMs: 1 },
    );
    await expect(failing).rejects.toThrow('refused');
    expect(calls).toBe(1);
  });

  it('throws the last transient failure once the attempts are spent', async () => {
    let calls = 0;
    const failing = retrying(
      async () => {
        calls++;
        throw new Transient(`busy ${calls}`);
      },
      { attempts: 3, retryIf: (e) => e instanceof Transient, minDelayMs: 1, maxDelayMs: 2 },
    );
    await expect(failing).rejects.toThrow('busy 3');
    expect(calls).toBe(3);
  });
});

describe('mapConcurrently', () => {
  it('keeps at most `concurrency` calls in flight and answers in the order of the items', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing after a failure, lets the calls in flight finish, then throws the first failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const failing = mapConcurrently([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setTimeout(resolve, n === 1 ? 1 : 20));
      if (n === 1) throw new Error('row 1 refused');
      finished.push(n);
      return n;
    });
    await expect(failing).rejects.toThrow('row 1 refused');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });
});
