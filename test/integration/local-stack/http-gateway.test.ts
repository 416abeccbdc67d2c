import { describe, expect, it } from 'vitest';
import { localStack } from '../../support/local-stack.js';

describe('local API Gateway', () => {
  const { httpUrl } = localStack();

  it('answers GET /health with 200, the versions and the state of DynamoDB and SQS', async () => {
    // Act
    const response = await fetch(`${httpUrl}/health`);
    const body = (await response.json()) as {
      status: string;
      versions: { lindung: string; node: string };
      dynamodb: { status: string; tables: Record<string, { status: string }> };
      sqs: { status: string; queues: Record<string, { status: string; deadLetters: number }> };
    };

    // Assess
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.versions.lindung).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.dynamodb.tables.ledger?.status).toBe('ACTIVE');
    expect(body.sqs.queues['renewal-work']).toMatchObject({ status: 'ok', deadLetters: 0 });
  });

  it('mints a token at POST /local/tokens and refuses a malformed request with a problem document', async () => {
    // Act
    const ok = await fetch(`${httpUrl}/local/tokens`, {
      method: 'POST',
      body: JSON.stringify({ roles: ['village-operator'], villageCodes: ['15.01.01.2001'] }),
    });
    const bad = await fetch(`${httpUrl}/local/tokens`, { method: 'POST', body: '{"roles": "admin"}' });

    // Assess
    expect(ok.status).toBe(201);
    const { token } = (await ok.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ roles: ['village-operator'], villageCodes: ['15.01.01.2001'] });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers an unknown route with a 404 problem document', async () => {
    const response = await fetch(`${httpUrl}/v1/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not-found', status: 404 });
  });
});
