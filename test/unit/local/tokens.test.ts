import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, localTokenIssuer } from '../../../packages/local/src/tokens.js';

const key = randomBytes(32);
const issuer = localTokenIssuer(key);

/** A token signed with the stack's own key, with the claims a test chooses. */
const signed = (build: (jwt: SignJWT) => SignJWT, signingKey: Uint8Array = key) =>
  build(
    new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('someone')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(),
  ).sign(signingKey);

describe('local sign-in tokens', () => {
  it('accepts a token it issued, with its claims', async () => {
    // Act
    const claims = await issuer.verify(await issuer.issue({ roles: ['auditor'], sub: 'a-1' }));

    // Assess
    expect(claims).toMatchObject({ sub: 'a-1', roles: ['auditor'], iss: LOCAL_ISSUER });
    expect(claims?.exp).toEqual(expect.any(Number));
  });

  it('carries a collector’s partnerId', async () => {
    // Act
    const claims = await issuer.verify(await issuer.issue({ roles: ['collector'], partnerId: 'P-1' }));

    // Assess
    expect(claims).toMatchObject({ roles: ['collector'], partnerId: 'P-1' });
  });

  it('refuses a correctly signed token that never expires (no exp claim)', async () => {
    // Prepare
    const forever = await signed((jwt) => jwt);

    // Act and Assess
    expect(await issuer.verify(forever)).toBeUndefined();
  });

  it('refuses an expired token, one signed with another key, and garbage', async () => {
    // Prepare
    const expired = await signed((jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60));
    const forged = await signed((jwt) => jwt.setExpirationTime('1h'), randomBytes(32));
    const fine = await signed((jwt) => jwt.setExpirationTime('1h'));

    // Act and Assess
    expect(await issuer.verify(expired)).toBeUndefined();
    expect(await issuer.verify(forged)).toBeUndefined();
    expect(await issuer.verify('not.a.token')).toBeUndefined();
    expect(await issuer.verify(fine)).toMatchObject({ sub: 'someone' });
  });
});
