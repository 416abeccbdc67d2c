/**
 * The one retry policy and the one concurrency helper of the code base. A retry waits a jittered, growing
 * delay (p-retry: `minDelayMs · 2^n`, randomised ×1–2, capped at `maxDelayMs`) and only for errors the caller
 * names as transient; everything else is thrown at once. Work over many items runs through `mapConcurrently`
 * (p-map): at most `concurrency` in flight, and after a failure no new item starts.
 */
import pMap, { pMapSkip } from 'p-map';
import pRetry from 'p-retry';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Whether an error is worth another attempt (a conflict, a throttle, a lost connection…). */
  readonly retryIf: (error: unknown) => boolean;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** Runs `work` until it succeeds, an error is not transient, or the attempts are spent (the last error is thrown). */
export const retrying = <T>(
  work: (attempt: number) => Promise<T>,
  { attempts, retryIf, minDelayMs = 10, maxDelayMs = 500 }: RetryPolicy,
): Promise<T> =>
  pRetry(work, {
    retries: attempts - 1,
    factor: 2,
    minTimeout: minDelayMs,
    maxTimeout: maxDelayMs,
    randomize: true,
    shouldRetry: ({ error }) => retryIf(error),
  });

/**
 * Maps `items` with at most `concurrency` calls in flight, results in the order of the items. After the first
 * failure no new call starts; the calls already in flight settle, then that first failure is thrown (so a
 * caller never returns while work it started still writes).
 */
export const mapConcurrently = async <T, R>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  let failed = false;
  try {
    return await pMap(
      items,
      async (item, index) => {
        if (failed) return pMapSkip;
        try {
          return await work(item, index);
        } catch (error) {
          failed = true;
          throw error;
        }
      },
      { concurrency: Math.max(1, concurrency), stopOnError: false },
    );
  } catch (error) {
    throw error instanceof AggregateError ? error.errors[0] : error;
  }
};
