import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  beginSignIn,
  claimsOf,
  codeChallenge,
  completeSignIn,
  type HostedUi,
  hostedUiOf,
  type KeyValueStore,
  loadSession,
  logoutUrl,
  randomString,
  SignInError,
  saveSession,
  signInReturnOf,
  tokenRequest,
} from '../../../packages/web/src/session.js';

const ui: HostedUi = {
  baseUrl: 'https://lindung-dev-123456789012.auth.ap-southeast-3.amazoncognito.com',
  clientId: '5abc123client',
  redirectUri: 'https://d111111abcdef8.cloudfront.net/',
};

/** A Map-backed stand-in for the tab's sessionStorage. */
const memoryStore = (): KeyValueStore & { readonly items: Map<string, string> } => {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
};

/** An unsigned JWT with these claims (the dashboard reads claims; only the API verifies signatures). */
const jwt = (claims: Record<string, unknown>): string =>
  ['{"alg":"none"}', JSON.stringify(claims), 'signature']
    .map((part) => Buffer.from(part).toString('base64url'))
    .join('.');

const paramsOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('PKCE', () => {
  it('derives the S256 code challenge of RFC 7636, appendix B', async () => {
    // Act
    const challenge = await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');

    // Assess
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 URL-safe characters that never repeat', () => {
    // Act
    const verifiers = Array.from({ length: 50 }, () => randomString(32));

    // Assess: RFC 7636 wants 43 to 128 characters of [A-Za-z0-9-._~].
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(verifiers).size).toBe(verifiers.length);
  });
});

describe('hostedUiOf', () => {
  it('reads config.json as the CDK stack writes it', () => {
    // Act
    const read = hostedUiOf(
      { clientId: ui.clientId, cognitoDomain: `${ui.baseUrl}/`, redirectUri: ui.redirectUri },
      'https://elsewhere.example',
    );

    // Assess
    expect(read).toEqual(ui);
  });

  it('takes a bare domain, and the dashboard’s own root when no redirect URI is given', () => {
    // Act
    const read = hostedUiOf(
      {
        clientId: ui.clientId,
        cognitoDomain: 'lindung-dev-123456789012.auth.ap-southeast-3.amazoncognito.com',
      },
      'https://d111111abcdef8.cloudfront.net',
    );

    // Assess
    expect(read).toEqual(ui);
  });

  it('has no hosted UI without a domain or a client', () => {
    // Act & Assess
    expect(hostedUiOf({ clientId: ui.clientId }, 'https://x.example')).toBeUndefined();
    expect(hostedUiOf({ cognitoDomain: ui.baseUrl }, 'https://x.example')).toBeUndefined();
  });
});

describe('the hosted UI addresses', () => {
  it('asks the authorization endpoint for a code with an S256 challenge, back to the dashboard', () => {
    // Act
    const url = authorizeUrl(ui, { state: 'state-1', challenge: 'challenge-1', lang: 'id' });

    // Assess
    expect(url.startsWith(`${ui.baseUrl}/oauth2/authorize?`)).toBe(true);
    expect(paramsOf(url)).toEqual({
      response_type: 'code',
      client_id: ui.clientId,
      redirect_uri: ui.redirectUri,
      scope: 'openid email profile',
      state: 'state-1',
      code_challenge: 'challenge-1',
      code_challenge_method: 'S256',
      lang: 'id',
    });
  });

  it('trades the code and its verifier at the token endpoint, as a form, without a secret', () => {
    // Act
    const { url, init } = tokenRequest(ui, 'code-1', 'verifier-1');

    // Assess
    expect(url).toBe(`${ui.baseUrl}/oauth2/token`);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(String(init.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: ui.clientId,
      code: 'code-1',
      redirect_uri: ui.redirectUri,
      code_verifier: 'verifier-1',
    });
  });

  it('signs out at the logout endpoint and comes back to the dashboard', () => {
    // Act
    const url = logoutUrl(ui);

    // Assess
    expect(url.startsWith(`${ui.baseUrl}/logout?`)).toBe(true);
    expect(paramsOf(url)).toEqual({ client_id: ui.clientId, logout_uri: ui.redirectUri });
  });

  it('recognises Cognito’s redirect back, with a code or an error, and nothing else', () => {
    // Act & Assess
    expect(signInReturnOf('?code=abc&state=xyz')).toEqual({ code: 'abc', state: 'xyz' });
    expect(signInReturnOf('?error=access_denied&error_description=Nope&state=xyz')).toEqual({
      error: 'Nope',
      state: 'xyz',
    });
    expect(signInReturnOf('')).toBeUndefined();
    expect(signInReturnOf('?lang=en')).toBeUndefined();
  });
});

describe('the code grant with PKCE', () => {
  const idToken = jwt({ sub: 'u-1', 'cognito:groups': ['sponsor-officer'], 'custom:sponsorId': 'S1' });

  /** Starts a sign-in as the dashboard does and returns what it kept and where it sent the browser. */
  const started = async (storage: KeyValueStore) => {
    const url = await beginSignIn(ui, { lang: 'en', route: '#/villages' }, storage);
    return { url, params: paramsOf(url) };
  };

  it('sends the challenge of a verifier kept in the tab, and the ID token comes back as the session', async () => {
    // Prepare
    const storage = memoryStore();
    const { params } = await started(storage);
    const requests: { url: string; body: Record<string, string> }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      requests.push({ url, body: Object.fromEntries(new URLSearchParams(String(init.body))) });
      return Response.json({ id_token: idToken, access_token: 'access', token_type: 'Bearer' });
    }) as typeof globalThis.fetch;

    // Act
    const { session, route } = await completeSignIn(
      ui,
      { code: 'code-1', state: params.state as string },
      { storage, fetch },
    );

    // Assess: the verifier sent to the token endpoint is the one whose challenge went to the hosted UI.
    expect(params.code_challenge_method).toBe('S256');
    expect(params.lang).toBe('en');
    const verifier = requests[0]?.body.code_verifier as string;
    expect(await codeChallenge(verifier)).toBe(params.code_challenge);
    expect(requests).toEqual([
      {
        url: `${ui.baseUrl}/oauth2/token`,
        body: expect.objectContaining({ grant_type: 'authorization_code', code: 'code-1' }),
      },
    ]);
    expect(session.token).toBe(idToken);
    expect(session.claims).toMatchObject({ sub: 'u-1', roles: ['sponsor-officer'], sponsorId: 'S1' });
    expect(route).toBe('#/villages');
    expect(loadSession(storage)?.token).toBe(idToken);
    expect([...storage.items.keys()]).toEqual(['lindung.session']);
  });

  it('refuses an answer whose state this tab did not send, without calling the token endpoint', async () => {
    // Prepare
    const storage = memoryStore();
    await started(storage);
    let calls = 0;
    const fetch = (async () => {
      calls += 1;
      return Response.json({ id_token: idToken });
    }) as typeof globalThis.fetch;

    // Act
    const completing = completeSignIn(ui, { code: 'code-1', state: 'forged' }, { storage, fetch });

    // Assess
    await expect(completing).rejects.toBeInstanceOf(SignInError);
    expect(calls).toBe(0);
    expect(storage.items.size).toBe(0);
  });

  it('uses a started sign-in once only', async () => {
    // Prepare
    const storage = memoryStore();
    const { params } = await started(storage);
    const fetch = (async () => Response.json({ id_token: idToken })) as typeof globalThis.fetch;
    const returned = { code: 'code-1', state: params.state as string };
    await completeSignIn(ui, returned, { storage, fetch });

    // Act & Assess
    await expect(completeSignIn(ui, returned, { storage, fetch })).rejects.toThrow(/does not match/);
  });

  it('reports the hosted UI’s error and the token endpoint’s refusal', async () => {
    // Prepare
    const storage = memoryStore();
    const { params } = await started(storage);
    const refusing = (async () =>
      Response.json({ error: 'invalid_grant' }, { status: 400 })) as typeof globalThis.fetch;

    // Act & Assess
    await expect(
      completeSignIn(ui, { code: 'code-1', state: params.state as string }, { storage, fetch: refusing }),
    ).rejects.toThrow('The token endpoint answered 400 invalid_grant');
    await started(storage);
    await expect(
      completeSignIn(ui, { error: 'User cancelled', state: 'any' }, { storage, fetch: refusing }),
    ).rejects.toThrow('User cancelled');
  });
});

describe('loadSession', () => {
  it('keeps a token until it expires, then forgets it', () => {
    // Prepare
    const storage = memoryStore();
    const exp = 1_800_000_000;
    saveSession(jwt({ sub: 'u-1', exp, roles: ['auditor'] }), storage);

    // Act
    const before = loadSession(storage, exp * 1000 - 1);
    const after = loadSession(storage, exp * 1000);

    // Assess
    expect(before?.expiresAt).toBe(exp * 1000);
    expect(before?.claims.roles).toEqual(['auditor']);
    expect(after).toBeUndefined();
    expect(storage.items.size).toBe(0);
  });

  it('forgets what is not a token', () => {
    // Prepare
    const storage = memoryStore();
    storage.setItem('lindung.session', 'not-a-jwt');

    // Act & Assess
    expect(loadSession(storage)).toBeUndefined();
    expect(storage.items.size).toBe(0);
  });
});

describe('claimsOf', () => {
  it('reads the partner of a collector from a local token and from a Cognito ID token', () => {
    // Act
    const local = claimsOf(jwt({ sub: 'k-1', roles: ['collector'], partnerId: 'P1' }));
    const cognito = claimsOf(jwt({ sub: 'k-2', 'cognito:groups': ['collector'], 'custom:partnerId': 'P2' }));
    const operator = claimsOf(jwt({ sub: 'o-1', roles: ['village-operator'] }));

    // Assess
    expect(local).toMatchObject({ roles: ['collector'], partnerId: 'P1' });
    expect(cognito).toMatchObject({ roles: ['collector'], partnerId: 'P2' });
    expect(operator).not.toHaveProperty('partnerId');
  });
});
