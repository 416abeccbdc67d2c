/**
 * The one retry policy and the one concurrency helper of the code base. A retry waits a jittered, growing
 * delay ("full jitter": a random time up to `minDelayMs · 2^n`, capped at `maxDelayMs`) and only for errors
 * the caller names as transient; everything else is thrown at once. Work over many items runs through
 * `mapConcurrently`: at most `concurrency` calls in flight, and after a failure no new call starts.
 *
 * A small module rather than p-retry and p-map: both were in use here first, and weighed 9.7 KB minified
 * (with is-network-error) in every Lambda bundle, which pushed the HTTP API past its 500 KB budget, for
 * the few lines below; the SDK already retries throttles and network errors itself.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (`Infinity` for "until it succeeds"). */
  readonly attempts: number;
  /** Whether an error is worth another attempt (a conflict, a throttle, unprocessed items…). */
  readonly retryIf: (error: unknown) => boolean;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` until it succeeds, an error is not transient, or the attempts are spent (the last error is thrown). */
export const retrying = async <T>(
  work: (attempt: number) => Promise<T>,
  { attempts, retryIf, minDelayMs = 10, maxDelayMs = 500 }: RetryPolicy,
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryIf(error)) throw error;
      await pause(Math.random() * Math.min(maxDelayMs, minDelayMs * 2 ** attempt));
    }
  }
};

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
  const list = [...items];
  const results: R[] = new Array(list.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < list.length) {
      const index = next++;
      try {
        results[index] = await work(list[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), list.length) }, worker));
  if (failure) throw failure.error;
  return results;
};
