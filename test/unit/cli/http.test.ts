import { ApiProblemError, ConnectionError, connect, isLocalUrl, LindungClient } from '@lindung/cli';
import { describe, expect, it } from 'vitest';
import { captureIo, fakeLindung, tokenRoute } from './fake-lindung.js';

describe('LindungClient', () => {
  it('turns a problem document into an ApiProblemError with its code, detail and field issues', async () => {
    // Prepare
    const fake = fakeLindung({
      'POST /v1/commitments': () => ({
        status: 422,
        body: {
          type: 'https://lindung.id/problems/validation-failed',
          title: 'The request is not valid',
          status: 422,
          code: 'validation-failed',
          errors: [{ path: 'budget.percent', message: 'Too big: expected number to be <=100' }],
        },
      }),
    });
    const client = new LindungClient('http://127.0.0.1:3000/', 'jwt', fake.fetch);

    // Act
    const failure = await client.post('/v1/commitments', { budget: {} }).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(ApiProblemError);
    expect(failure).toMatchObject({ status: 422, code: 'validation-failed' });
    expect((failure as Error).message).toBe(
      'The request is not valid (budget.percent: Too big: expected number to be <=100)',
    );
    expect(fake.received[0]?.headers.authorization).toBe('Bearer jwt');
  });

  it('names an answer without a problem document by its status', async () => {
    // Prepare
    const client = new LindungClient(
      'http://127.0.0.1:3000',
      undefined,
      (async () => new Response('Bad Gateway', { status: 502 })) as typeof fetch,
    );

    // Act
    const failure = await client.post('/v1/periods/2027-01/roll', {}).catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ status: 502, code: 'http-502', message: 'Bad Gateway' });
  });

  it('retries a read through a dropped connection, and says where it looked when Lindung stays unreachable', async () => {
    // Prepare
    let calls = 0;
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const client = new LindungClient('http://127.0.0.1:3999', 'jwt', (async () => {
      calls++;
      throw refused;
    }) as typeof fetch);

    // Act
    const failure = await client.get('/health', { attempts: 2 }).catch((error: unknown) => error);

    // Assess
    expect(calls).toBe(2);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as Error).message).toContain(
      'cannot reach Lindung at http://127.0.0.1:3999 (ECONNREFUSED)',
    );
  });
});

describe('connect', () => {
  it('mints a token with the claims the command needs from a local stack', async () => {
    // Prepare
    const fake = fakeLindung({ 'POST /local/tokens': tokenRoute });

    // Act
    const client = await connect({}, { roles: ['admin'] }, captureIo(fake).io);

    // Assess
    expect(client.baseUrl).toBe('http://127.0.0.1:3000');
    expect(client.token).toBe('token-admin');
    expect(fake.received[0]?.body).toEqual({ roles: ['admin'] });
  });

  it('uses LINDUNG_URL and LINDUNG_TOKEN when no option names them, and mints nothing', async () => {
    // Prepare
    const fake = fakeLindung({ 'POST /local/tokens': tokenRoute });
    const { io } = captureIo(fake, {
      env: { LINDUNG_URL: 'https://lindung.example', LINDUNG_TOKEN: 'given' },
    });

    // Act
    const client = await connect({}, { roles: ['admin'] }, io);

    // Assess
    expect(client.baseUrl).toBe('https://lindung.example');
    expect(client.token).toBe('given');
    expect(fake.received).toHaveLength(0);
  });

  it('says to pass --token when a Lindung that is not a local stack mints none', async () => {
    // Prepare: a server that answers 404 on /local/tokens, like the AWS build.
    const fake = fakeLindung({});

    // Act
    const failure = await connect(
      { url: 'http://localhost:8080' },
      { roles: ['admin'] },
      captureIo(fake).io,
    ).catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ code: 'not-found' });
    expect((failure as Error).message).toContain('pass --token');
  });
});

describe('isLocalUrl', () => {
  it('knows this machine by name and address, and nothing else', () => {
    // Assess
    expect(['http://127.0.0.1:3000', 'http://localhost', 'http://[::1]:3000'].map(isLocalUrl)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['https://api.lindung.id', 'not a url'].map(isLocalUrl)).toEqual([false, false]);
  });
});
