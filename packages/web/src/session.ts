/// <reference lib="dom" />
/**
 * Sign-in and the calls to the API. Locally the dashboard mints a token for a demo user (POST /local/tokens);
 * on AWS it signs in through Cognito's hosted UI (config.json, written by the CDK deployment, names the
 * user pool client and, once the pool has a domain, `cognitoDomain`) and sends the ID token it gets back.
 */

export interface Claims {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly sponsorId?: string;
  readonly villageCodes: readonly string[];
  readonly name?: string;
}

export interface Session {
  readonly token: string;
  readonly claims: Claims;
}

/** What the deployment says about sign-in (absent on the local stack). */
export interface DeploymentConfig {
  readonly region?: string;
  readonly userPoolId?: string;
  readonly userPoolClientId?: string;
  readonly cognitoDomain?: string;
}

const STORAGE_KEY = 'lindung.session';

const list = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(/[\s,]+/).filter(Boolean)
      : [];

/** The claims of a JWT (read for display and navigation only; the API verifies the token). */
export const claimsOf = (token: string): Claims => {
  const part = token.split('.')[1] ?? '';
  const json = JSON.parse(
    decodeURIComponent(
      [...atob(part.replace(/-/g, '+').replace(/_/g, '/'))]
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .join(''),
    ),
  ) as Record<string, unknown>;
  const sponsorId = json.sponsorId ?? json['custom:sponsorId'];
  return {
    sub: String(json.sub ?? ''),
    roles: [...list(json.roles), ...list(json['cognito:groups'])],
    ...(typeof sponsorId === 'string' && sponsorId && { sponsorId }),
    villageCodes: [...list(json.villageCodes), ...list(json['custom:villageCodes'])],
    ...(typeof json.name === 'string' && { name: json.name }),
  };
};

export const loadSession = (): Session | undefined => {
  const fromHostedUi = new URLSearchParams(location.hash.replace(/^#/, '')).get('id_token');
  if (fromHostedUi) {
    history.replaceState(null, '', location.pathname);
    return saveSession(fromHostedUi);
  }
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return undefined;
  try {
    return { token, claims: claimsOf(token) };
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
    return undefined;
  }
};

export const saveSession = (token: string): Session => {
  sessionStorage.setItem(STORAGE_KEY, token);
  return { token, claims: claimsOf(token) };
};

export const clearSession = () => sessionStorage.removeItem(STORAGE_KEY);

/** The deployment's sign-in configuration, or `undefined` on the local stack (no config.json there). */
export const deploymentConfig = async (): Promise<DeploymentConfig | undefined> => {
  try {
    const response = await fetch('/config.json');
    if (!response.ok) return undefined;
    return (await response.json()) as DeploymentConfig;
  } catch {
    return undefined;
  }
};

/** The hosted UI's address (implicit grant: the ID token comes back in the URL fragment). */
export const hostedUiUrl = (config: DeploymentConfig): string | undefined => {
  if (!config.cognitoDomain || !config.userPoolClientId) return undefined;
  const query = new URLSearchParams({
    client_id: config.userPoolClientId,
    response_type: 'token',
    scope: 'openid email profile',
    redirect_uri: `${location.origin}/`,
  });
  return `https://${config.cognitoDomain}/oauth2/authorize?${query}`;
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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET an API path with the session's token; a problem document becomes an `ApiError`. */
export const get = async <T>(session: Session | string, path: string): Promise<T> => {
  const token = typeof session === 'string' ? session : session.token;
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
  if (!response.ok)
    throw new ApiError(response.status, body.detail ?? body.title ?? `HTTP ${response.status}`);
  return body as T;
};
