/** The collector role: scoped to one collection partner by its `partnerId` claim, as sponsor staff by `sponsorId`. */
import { authorize, principalOf } from '@lindung/api';
import { ForbiddenError } from '@lindung/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

const eventWith = (claims: Record<string, string>) =>
  ({ requestContext: { authorizer: { jwt: { claims } } } }) as unknown as APIGatewayProxyEventV2;

describe('collector scope', () => {
  it('reads the partner from the local issuer’s partnerId and from Cognito’s custom:partnerId', () => {
    // Act
    const local = principalOf(eventWith({ sub: 'c-1', roles: '[collector]', partnerId: 'P1' }));
    const cognito = principalOf(
      eventWith({ sub: 'c-2', 'cognito:groups': '[collector]', 'custom:partnerId': 'P2' }),
    );

    // Assess
    expect([...local.roles]).toEqual(['collector']);
    expect(local.partnerId).toBe('P1');
    expect(cognito.partnerId).toBe('P2');
  });

  it('lets a collector act for its own partner only, and nowhere without a partner claim', () => {
    // Prepare
    const collector = principalOf(eventWith({ sub: 'c-1', roles: '[collector]', partnerId: 'P1' }));
    const unscoped = principalOf(eventWith({ sub: 'c-3', roles: '[collector]' }));

    // Act and assess
    expect(() => authorize(collector, 'recordDeposits', { partnerId: 'P1' })).not.toThrow();
    expect(() => authorize(collector, 'recordDeposits', { partnerId: 'P2' })).toThrow(ForbiddenError);
    expect(() => authorize(unscoped, 'recordDeposits', {})).toThrow(ForbiddenError);
    expect(() => authorize(collector, 'createPartner')).toThrow(ForbiddenError);
    expect(() => authorize(collector, 'enroll', { villageCode: '63.71.01.1001' })).toThrow(ForbiddenError);
  });

  it('gives sponsor staff and village operators no access to a partner', () => {
    // Prepare
    const officer = principalOf(eventWith({ sub: 's-1', roles: '[sponsor-officer]', sponsorId: 'P1' }));

    // Act and assess
    expect(() => authorize(officer, 'partnerStatement', { partnerId: 'P1' })).toThrow(ForbiddenError);
  });
});
