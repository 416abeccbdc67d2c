import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nikKey } from '@lindung/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadNikHashKey, secretThroughExtension } from '../../../functions/shared/nik-hash-key.js';

const ARN = 'arn:aws:secretsmanager:ap-southeast-3:000000000000:secret:lindung/dev/nik-hash-key-AbCdEf';
const TOKEN = 'session-token';
const KEY = 'a-32-byte-key-for-hashing-niks!!';

/**
 * The Parameters and Secrets extension as Lambda runs it beside the function: `GET /secretsmanager/get` on
 * localhost, for callers that show the session token. Answers with `answer` and records each request.
 */
let server: Server;
let requests: IncomingMessage[];
let answer: { status: number; body: unknown };
const env = (): NodeJS.ProcessEnv => ({
  NIK_HASH_KEY_SECRET_ARN: ARN,
  AWS_SESSION_TOKEN: TOKEN,
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((server.address() as AddressInfo).port),
});

beforeEach(async () => {
  requests = [];
  answer = { status: 200, body: { ARN, Name: 'lindung/dev/nik-hash-key', SecretString: KEY } };
  server = createServer((request, response) => {
    requests.push(request);
    const authorised = request.headers['x-aws-parameters-secrets-token'] === TOKEN;
    response.writeHead(authorised ? answer.status : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(authorised ? answer.body : { message: 'missing token' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('the NIK hashing key through the Parameters and Secrets extension', () => {
  it('asks the extension for the secret by its ARN, showing the session token', async () => {
    // Act
    const secret = await secretThroughExtension(ARN, env());

    // Assess
    expect(secret).toBe(KEY);
    expect(requests.map((r) => r.url)).toEqual([`/secretsmanager/get?secretId=${encodeURIComponent(ARN)}`]);
  });

  it('fails loudly on a refusal or an empty secret, never hashing with no key', async () => {
    // Prepare
    answer = { status: 400, body: { message: 'AccessDeniedException' } };

    // Act: both asked side by side, each with its expectation attached at once, so that neither rejects
    // unobserved while the other is awaited.
    const refused = expect(secretThroughExtension(ARN, env())).rejects.toThrow(/answered 400/);
    const withoutToken = expect(
      secretThroughExtension(ARN, { ...env(), AWS_SESSION_TOKEN: 'wrong' }),
    ).rejects.toThrow(/answered 401/);

    // Assess
    await Promise.all([refused, withoutToken]);
    answer = { status: 200, body: { ARN, SecretString: '' } };
    await expect(secretThroughExtension(ARN, env())).rejects.toThrow(/empty or not a string/);
  });

  it('loads the key once per process, tries again after a failure, and hashes NIKs with it', async () => {
    // Prepare: the first invocation finds the extension failing.
    answer = { status: 500, body: { message: 'Secrets Manager unavailable' } };
    await expect(loadNikHashKey(env())).rejects.toThrow(/answered 500/);
    answer = { status: 200, body: { ARN, SecretString: KEY } };

    // Act: the next invocations, side by side.
    const loads = await Promise.all([loadNikHashKey(env()), loadNikHashKey(env()), loadNikHashKey(env())]);

    // Assess
    expect(loads).toEqual([true, true, true]);
    expect(requests).toHaveLength(2);
    expect(nikKey('1571010101900001')).toBe(
      createHmac('sha256', KEY).update('1571010101900001').digest('base64url'),
    );
  });

  it('reads nothing where no ARN is set (the local stack gives NIK_HASH_KEY)', async () => {
    // Act
    const loaded = await loadNikHashKey({});

    // Assess
    expect(loaded).toBe(false);
    expect(requests).toHaveLength(0);
  });
});
