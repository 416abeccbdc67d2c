/**
 * A stand-in for a running Lindung, as a `fetch` the CLI is given through its `CliIo`: routes answer
 * requests, every request is recorded. Also an `io` that captures what a command writes.
 */
import type { CliIo } from '@lindung/cli';

/** A request as the fake received it. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
  readonly body: any;
}

/** What a route answers: a status and a JSON body, or a thrown error (a dropped connection). */
export type Route = (
  request: Received,
) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export interface FakeLindung {
  readonly fetch: typeof fetch;
  readonly received: Received[];
  /** The requests to paths matching `pattern`. */
  to(pattern: RegExp): Received[];
}

/** A fake Lindung at http://127.0.0.1:3000 with `routes` keyed `METHOD /path/pattern` (a regular expression). */
export const fakeLindung = (routes: Record<string, Route>): FakeLindung => {
  const received: Received[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    // The generated client sends a Request; read it as the server would.
    const sent = new Request(input, init);
    const url = new URL(sent.url);
    const text = await sent.text();
    const headers: Record<string, string> = {};
    sent.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const request: Received = {
      method: sent.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: text ? JSON.parse(text) : undefined,
    };
    received.push(request);
    const route = Object.entries(routes).find(([key]) => {
      const [method, pattern] = key.split(' ');
      return method === request.method && new RegExp(`^${pattern}$`).test(request.path);
    });
    if (!route) {
      return new Response(JSON.stringify({ status: 404, code: 'not-found', title: 'No such route' }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    const { status, body } = await route[1](request);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  };
  return {
    fetch: fetchImpl as typeof fetch,
    received,
    to: (pattern) => received.filter((r) => pattern.test(r.path)),
  };
};

/** A token route that mints `token-<roles>` and records the claims. */
export const tokenRoute: Route = (request) => ({
  status: 201,
  body: { token: `token-${(request.body.roles as string[]).join('+')}` },
});

export interface Captured {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** An io for a command under test: stdout and stderr captured, the fake's fetch, no environment. */
export const captureIo = (
  fake: FakeLindung | undefined,
  { tty = false, env = {} }: { tty?: boolean; env?: Record<string, string> } = {},
): Captured => {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (chunk: string) => (out += chunk) },
      stderr: { write: (chunk: string) => (err += chunk), isTTY: tty, columns: 120 },
      now: () => new Date('2027-03-10T03:00:00Z'),
      env,
      ...(fake && { fetch: fake.fetch }),
    },
    stdout: () => out,
    stderr: () => err,
  };
};
