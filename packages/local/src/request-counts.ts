/**
 * `LINDUNG_REQUEST_COUNTS=1`: the local stack counts the AWS requests each function sends, by operation, so a
 * long run can say how many requests a phase cost and where (the demo's `requests` per phase). Counted in
 * each thread from Node's `http.client.request.start` diagnostics channel and the request's `X-Amz-Target`
 * header (`DynamoDB_20120810.GetItem` → `dynamodb GetItem`): the deployed bundles' own SDK clients are
 * counted, with nothing added to their code. Requests without that header (the API's callers) are not counted.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/** Requests by operation, e.g. `{ 'dynamodb GetItem': 12, 'sqs SendMessage': 3 }`. */
export type RequestCounts = Record<string, number>;

/** Requests by function id, then by operation (what `LocalStack.requestCounts` answers). */
export type FunctionRequests = Readonly<Record<string, RequestCounts>>;

export const requestCountsWanted = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.LINDUNG_REQUEST_COUNTS === '1';

const services: Readonly<Record<string, string>> = {
  DynamoDB_20120810: 'dynamodb',
  DynamoDBStreams_20120810: 'streams',
  AmazonSQS: 'sqs',
};

/** `dynamodb GetItem` for an AWS JSON request; undefined for any other request. */
export const operationOf = (request: Pick<ClientRequest, 'getHeader'>): string | undefined => {
  const target = request.getHeader('x-amz-target');
  if (typeof target !== 'string') return undefined;
  const [service = '', operation = ''] = target.split('.');
  return `${services[service] ?? service} ${operation}`;
};

let counts: RequestCounts | undefined;

/** Counts this thread's requests from the first call on; returns the counts so far. */
export const threadRequestCounts = (): RequestCounts => {
  if (!counts) startCounting();
  return { ...counts };
};

const startCounting = () => {
  counts = {};
  subscribe('http.client.request.start', (message) => {
    const operation = operationOf((message as { request: ClientRequest }).request);
    if (operation && counts) counts[operation] = (counts[operation] ?? 0) + 1;
  });
};

/** `a + b`, operation by operation. */
export const addCounts = (a: RequestCounts, b: RequestCounts): RequestCounts => {
  const total = { ...a };
  for (const [operation, n] of Object.entries(b)) total[operation] = (total[operation] ?? 0) + n;
  return total;
};

/** `later - earlier`, operation by operation, without the operations that did not move. */
export const countsSince = (later: RequestCounts, earlier: RequestCounts): RequestCounts =>
  Object.fromEntries(
    Object.entries(later)
      .map(([operation, n]) => [operation, n - (earlier[operation] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );

/** `a + b`, function by function. */
export const addFunctionCounts = (a: FunctionRequests = {}, b: FunctionRequests = {}): FunctionRequests =>
  Object.fromEntries(
    [...new Set([...Object.keys(a), ...Object.keys(b)])].map((fn) => [
      fn,
      addCounts(a[fn] ?? {}, b[fn] ?? {}),
    ]),
  );

/** `later - earlier`, function by function, without the functions that sent nothing. */
export const functionCountsSince = (later: FunctionRequests, earlier: FunctionRequests): FunctionRequests =>
  Object.fromEntries(
    Object.entries(later)
      .map(([fn, counts]) => [fn, countsSince(counts, earlier[fn] ?? {})] as const)
      .filter(([, counts]) => Object.keys(counts).length > 0),
  );
