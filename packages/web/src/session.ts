/// <reference lib="dom" />
/**
 * Sign-in. Locally the dashboard mints a token for a demo user (POST /local/tokens);
 * on AWS it signs in through the user pool's managed login (Cognito's hosted UI) with the authorization
 * code grant and PKCE, as `config.json` (written by the CDK deployment) describes, and sends the ID token it
 * gets back: the API's JWT authorizer expects the dashboard client as audience, and only the ID token
 * carries the groups and the scope attributes (`custom:sponsorId`, `custom:villageCodes`).
 */

export interface Claims {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly sponsorId?: string;
  readonly villageCodes: readonly string[];
  /** The regions of a BPJS regional office. */
  readonly regionCodes?: readonly string[];
  /** The collection partner of a collector. */
  readonly partnerId?: string;
  readonly name?: string;
}

export interface Session {
  readonly token: string;
  readonly claims: Claims;
  /** When the token expires (epoch milliseconds), if it says. */
  readonly expiresAt?: number;
}

/** What the deployment says about sign-in: `/config.json` on AWS, absent on the local stack. */
export interface DeploymentConfig {
  readonly region?: string;
  readonly userPoolId?: string;
  /** The dashboard's app client. */
  readonly clientId?: string;
  /** Base URL of the managed login, e.g. `https://lindung-dev-123456789012.auth.ap-southeast-3.amazoncognito.com`. */
  readonly cognitoDomain?: string;
  /** Where Cognito sends the browser back: one of the app client's callback and sign-out URLs. */
  readonly redirectUri?: string;
}

/** What a sign-in through the hosted UI needs, checked. */
export interface HostedUi {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

/** Cognito's answer on the redirect back to the dashboard: `?code=&state=`, or `?error=&state=`. */
export interface SignInReturn {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
}

/** The part of `sessionStorage` the sign-in uses; tests pass their own. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** A sign-in that could not be completed; the message says why, for the user. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

const STORAGE_KEY = 'lindung.session';
const PENDING_KEY = 'lindung.signIn';
const SCOPES = 'openid email profile';

const list = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(/[\s,]+/).filter(Boolean)
      : [];

const payloadOf = (token: string): Record<string, unknown> => {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(
    decodeURIComponent(
      [...atob(part.replace(/-/g, '+').replace(/_/g, '/'))]
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .join(''),
    ),
  ) as Record<string, unknown>;
};

/** The claims of a JWT (read for display and navigation only; the API verifies the token). */
export const claimsOf = (token: string): Claims => {
  const json = payloadOf(token);
  const sponsorId = json.sponsorId ?? json['custom:sponsorId'];
  const partnerId = json.partnerId ?? json['custom:partnerId'];
  return {
    sub: String(json.sub ?? ''),
    roles: [...list(json.roles), ...list(json['cognito:groups'])],
    ...(typeof sponsorId === 'string' && sponsorId && { sponsorId }),
    villageCodes: [...list(json.villageCodes), ...list(json['custom:villageCodes'])],
    ...(typeof partnerId === 'string' && partnerId && { partnerId }),
    ...(typeof json.name === 'string' && { name: json.name }),
  };
};

/** A session of a token; throws on what is not a JWT. */
export const sessionOf = (token: string): Session => {
  const { exp } = payloadOf(token);
  return { token, claims: claimsOf(token), ...(typeof exp === 'number' && { expiresAt: exp * 1000 }) };
};

/** The session kept in this tab, unless it has expired. */
export const loadSession = (
  storage: KeyValueStore = sessionStorage,
  now = Date.now(),
): Session | undefined => {
  const token = storage.getItem(STORAGE_KEY);
  if (!token) return undefined;
  try {
    const session = sessionOf(token);
    if (session.expiresAt === undefined || session.expiresAt > now) return session;
  } catch {
    // Not a token: forget it like an expired one.
  }
  storage.removeItem(STORAGE_KEY);
  return undefined;
};

export const saveSession = (token: string, storage: KeyValueStore = sessionStorage): Session => {
  const session = sessionOf(token);
  storage.setItem(STORAGE_KEY, token);
  return session;
};

export const clearSession = (storage: KeyValueStore = sessionStorage) => storage.removeItem(STORAGE_KEY);

/** Whether the dashboard is served from this machine: the local stack, which has no config.json. */
export const isLoopback = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

/**
 * The deployment's sign-in configuration, or `undefined` on the local stack: served from a loopback address
 * there is no config.json to ask for (asking only earned a 404 on every page load).
 */
export const deploymentConfig = async (
  hostname: string = location.hostname,
): Promise<DeploymentConfig | undefined> => {
  if (isLoopback(hostname)) return undefined;
  try {
    const response = await fetch('/config.json');
    if (!response.ok) return undefined;
    return (await response.json()) as DeploymentConfig;
  } catch {
    return undefined;
  }
};

/**
 * The hosted UI of a deployment, or `undefined` if config.json does not name it. Without `redirectUri`
 * the dashboard's own root (`origin`/) is the way back.
 */
export const hostedUiOf = (config: DeploymentConfig, origin: string): HostedUi | undefined => {
  if (!config.cognitoDomain || !config.clientId) return undefined;
  const domain = config.cognitoDomain.replace(/\/+$/, '');
  return {
    baseUrl: domain.startsWith('https://') ? domain : `https://${domain}`,
    clientId: config.clientId,
    redirectUri: config.redirectUri ?? `${origin}/`,
  };
};

const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** A random URL-safe string of `bytes` random bytes (43 characters for 32), from the WebCrypto generator. */
export const randomString = (bytes = 32): string => base64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The PKCE code challenge of a code verifier, method S256 (RFC 7636): BASE64URL(SHA-256(verifier)). */
export const codeChallenge = async (verifier: string): Promise<string> =>
  base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));

/** The hosted UI's authorization endpoint for a code grant with PKCE; `lang` picks its language. */
export const authorizeUrl = (
  ui: HostedUi,
  request: { readonly state: string; readonly challenge: string; readonly lang?: string },
): string => {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: ui.clientId,
    redirect_uri: ui.redirectUri,
    scope: SCOPES,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    ...(request.lang && { lang: request.lang }),
  });
  return `${ui.baseUrl}/oauth2/authorize?${query}`;
};

/** The token endpoint request that trades an authorization code and its verifier for tokens. */
export const tokenRequest = (
  ui: HostedUi,
  code: string,
  verifier: string,
): { readonly url: string; readonly init: RequestInit } => ({
  url: `${ui.baseUrl}/oauth2/token`,
  init: {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: ui.clientId,
      code,
      redirect_uri: ui.redirectUri,
      code_verifier: verifier,
    }).toString(),
  },
});

/** The hosted UI's sign-out: ends the Cognito session too, then comes back to the dashboard. */
export const logoutUrl = (ui: HostedUi): string =>
  `${ui.baseUrl}/logout?${new URLSearchParams({ client_id: ui.clientId, logout_uri: ui.redirectUri })}`;

/** Cognito's redirect back in a page's query string, or `undefined` if the page was not opened by one. */
export const signInReturnOf = (search: string): SignInReturn | undefined => {
  const params = new URLSearchParams(search);
  const code = params.get('code');
  const error = params.get('error_description') ?? params.get('error');
  if (!code && !error) return undefined;
  const state = params.get('state');
  return { ...(code && { code }), ...(state && { state }), ...(error && { error }) };
};

interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  /** The dashboard route (hash) the user was opening. */
  readonly route: string;
}

/**
 * Starts a sign-in: keeps a fresh PKCE verifier and `state` in this tab for the way back, and returns the
 * hosted UI's address to send the browser to.
 */
export const beginSignIn = async (
  ui: HostedUi,
  options: { readonly lang?: string; readonly route?: string } = {},
  storage: KeyValueStore = sessionStorage,
): Promise<string> => {
  const pending: PendingSignIn = {
    state: randomString(16),
    verifier: randomString(32),
    route: options.route ?? '',
  };
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  return authorizeUrl(ui, {
    state: pending.state,
    challenge: await codeChallenge(pending.verifier),
    ...(options.lang && { lang: options.lang }),
  });
};

const pendingOf = (storage: KeyValueStore): PendingSignIn | undefined => {
  const text = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  try {
    const pending = text ? (JSON.parse(text) as Partial<PendingSignIn>) : undefined;
    return typeof pending?.state === 'string' && typeof pending.verifier === 'string'
      ? { state: pending.state, verifier: pending.verifier, route: pending.route ?? '' }
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Completes a sign-in on the way back from the hosted UI: refuses a `state` this tab did not send, trades
 * the code for tokens and keeps the ID token. Returns the session and the route the user was opening.
 */
export const completeSignIn = async (
  ui: HostedUi,
  returned: SignInReturn,
  options: { readonly storage?: KeyValueStore; readonly fetch?: typeof fetch } = {},
): Promise<{ readonly session: Session; readonly route: string }> => {
  const storage = options.storage ?? sessionStorage;
  const pending = pendingOf(storage);
  if (returned.error) throw new SignInError(returned.error);
  if (!returned.code || !pending || returned.state !== pending.state) {
    throw new SignInError('The sign-in answer does not match a sign-in started in this tab');
  }
  const { url, init } = tokenRequest(ui, returned.code, pending.verifier);
  const response = await (options.fetch ?? fetch)(url, init);
  const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
  if (!response.ok || typeof body.id_token !== 'string') {
    throw new SignInError(
      `The token endpoint answered ${response.status} ${String(body.error ?? '')}`.trim(),
    );
  }
  return { session: saveSession(body.id_token, storage), route: pending.route };
};

/** A demo user's token from the local stack. */
export const localToken = async (claims: Partial<Claims> & { roles: readonly string[] }): Promise<string> => {
  const response = await fetch('/local/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  if (!response.ok) throw new Error(`POST /local/tokens answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
};
