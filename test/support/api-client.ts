/** A small HTTP client for e2e tests: tokens from the local stack, JSON in and out. */
import type { ProvidedLocalStack } from './global-local-stack.js';

/** A response: status and parsed JSON body (tests read fields they assert on). */
export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
}

export interface Caller {
  readonly token: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  get(path: string): Promise<Answer>;
}

export const caller = async (
  stack: ProvidedLocalStack,
  claims: { roles: string[]; sponsorId?: string; villageCodes?: string[]; sub?: string },
): Promise<Caller> => {
  const minted = await fetch(`${stack.httpUrl}/local/tokens`, {
    method: 'POST',
    body: JSON.stringify(claims),
  });
  const { token } = (await minted.json()) as { token: string };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined } as Answer;
  };
  return {
    token,
    post: (path, body, headers) => call('POST', path, body, headers),
    get: (path) => call('GET', path),
  };
};

/** A syntactically valid NIK of a Jambi resident (region 15.71.01), born on `day` of 1990, serial `serial`. */
export const jambiNik = (serial: number, day = 1 + (serial % 28)) =>
  `157101${String(day).padStart(2, '0')}0190${String(serial % 10_000).padStart(4, '0')}`;
