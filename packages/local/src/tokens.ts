/**
 * Sign-in tokens of the local stack. On AWS, Cognito issues the tokens and API Gateway's JWT authorizer
 * validates them; locally this module does both, with a key that never leaves the machine.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';

export const LOCAL_ISSUER = 'lindung-local';
export const LOCAL_AUDIENCE = 'lindung';

export interface TokenRequest {
  readonly roles: readonly string[];
  readonly sponsorId?: string;
  readonly villageCodes?: readonly string[];
  /** The collection partner of a collector. */
  readonly partnerId?: string;
  /** The regions of a BPJS regional office. */
  readonly regionCodes?: readonly string[];
  readonly sub?: string;
  readonly name?: string;
}

export interface LocalTokenIssuer {
  issue(request: TokenRequest, ttlSeconds?: number): Promise<string>;
  /** The claims of a valid token, or undefined for a missing, forged or expired one, or one that never expires. */
  verify(token: string): Promise<Record<string, unknown> | undefined>;
}

/** Loads a local secret from the data folder (so it survives a restart) or makes a new one. */
export const localSecret = async (dataDir: string | undefined, name: string): Promise<Uint8Array> => {
  if (!dataDir) return randomBytes(32);
  const file = join(dataDir, `${name}.key`);
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  } catch {
    const key = randomBytes(32);
    await writeFile(file, key.toString('base64'), { mode: 0o600 });
    return key;
  }
};

export const localTokenIssuer = (key: Uint8Array): LocalTokenIssuer => ({
  issue: async (request, ttlSeconds = 12 * 60 * 60) =>
    new SignJWT({
      roles: [...request.roles],
      ...(request.sponsorId && { sponsorId: request.sponsorId }),
      ...(request.villageCodes && { villageCodes: [...request.villageCodes] }),
      ...(request.partnerId && { partnerId: request.partnerId }),
      ...(request.regionCodes && { regionCodes: [...request.regionCodes] }),
      ...(request.name && { name: request.name }),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(request.sub ?? `local-${request.roles.join('+') || 'user'}`)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key),
  verify: async (token) => {
    try {
      // A token without `exp` would open the API for good to whoever copied it (API Gateway refuses it too).
      const { payload } = await jwtVerify(token, key, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        requiredClaims: ['exp'],
      });
      return payload as Record<string, unknown>;
    } catch {
      return undefined;
    }
  },
});

/**
 * Claims as API Gateway's JWT authorizer hands them to Lambda: every value a string, arrays written
 * as `[a b c]`. The handler reads them the same way on AWS and locally.
 */
export const gatewayClaims = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? `[${value.join(' ')}]`
        : typeof value === 'string'
          ? value
          : JSON.stringify(value),
    ]),
  );
