/**
 * Every route × every role × own and foreign scope: allowed callers get anything but 401/403 (and no 5xx),
 * everyone else 403 `forbidden`. The expectations are the fixtures' `allowed` tables, written from the HTTP
 * contract, not read from the policies under test.
 */
import { apiRoutes, ROLES, type Role } from '@lindung/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type Caller, caller } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import {
  buildWorld,
  everyCaller,
  fixtureOf,
  isAllowed,
  type RouteName,
  routeFixtures,
  type Scope,
  send,
  type World,
} from '../support/route-fixtures.js';
import { repositories } from '../support/scenario.js';

const routeNames = Object.keys(apiRoutes) as RouteName[];
const SCOPES: readonly Scope[] = ['own', 'foreign'];

describe('authorization matrix: every route, role and scope', () => {
  const stack = localStack();
  let world: World;
  let callerOf: (role: Role, scope: Scope) => Caller;

  beforeAll(async () => {
    world = await buildWorld(stack, {
      year: 2029,
      district: '150401',
      villages: ['15.04.01.2003', '15.04.01.2002', '15.04.02.2003'],
    });
    callerOf = await everyCaller(stack, world);
  });

  it('has a fixture for every route of the API', () => {
    expect(routeNames.filter((name) => !routeFixtures[name])).toEqual([]);
  });

  it.each(routeNames)('%s: allows exactly the roles and scopes of the contract', async (name) => {
    // Prepare
    const fixture = fixtureOf(name);
    const cells = ROLES.flatMap((role) => SCOPES.map((scope) => ({ role, scope })));

    // Act
    const outcomes = await Promise.all(
      cells.map(async ({ role, scope }) => ({
        role,
        scope,
        answer: await send(callerOf(role, scope), name, fixture.request(world, role)),
      })),
    );

    // Assess: every cell that differs from the contract, with what it answered.
    const wrong = outcomes
      .filter(({ role, scope, answer }) => {
        const denied =
          answer.status === 403 &&
          answer.body?.code === 'forbidden' &&
          answer.contentType.startsWith('application/problem+json');
        const allowedAnswer = answer.status !== 401 && answer.status !== 403 && answer.status < 500;
        return isAllowed(fixture, role, scope) ? !allowedAnswer : !denied;
      })
      .map(({ role, scope, answer }) => `${role}/${scope}: ${answer.status} ${answer.body?.code ?? ''}`);
    expect(wrong).toEqual([]);
  });

  it.each(routeNames.filter((name) => apiRoutes[name].auth === 'jwt'))(
    '%s: answers 401 unauthenticated without a token or with a forged one',
    async (name) => {
      // Prepare: a real token whose signature is replaced.
      const request = fixtureOf(name).request(world, 'admin');
      const { token = '' } = await caller(stack, { roles: ['admin'] });
      const forged = `${token.slice(0, token.lastIndexOf('.'))}.c2lnbmF0dXJl`;

      // Act
      const answers = [
        await send(anonymous(stack), name, request),
        await send(anonymous(stack), name, request, { authorization: `Bearer ${forged}` }),
      ];

      // Assess
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.contentType).toMatch(/^application\/problem\+json/);
        expect(answer.body.code).toBe('unauthenticated');
      }
    },
  );

  it('never lets a village operator enroll, one by one or by import, into a village that is not theirs', async () => {
    // Prepare
    const { own, foreign } = world;
    const before = await repositories(stack).commitments.allocation(own.commitmentId, own.village);
    const foreignBefore = await repositories(stack).commitments.allocation(
      foreign.commitmentId,
      foreign.village,
    );
    const operators = {
      ofForeignVillage: await caller(stack, { roles: ['village-operator'], villageCodes: [foreign.village] }),
      ofSiblingVillage: await caller(stack, { roles: ['village-operator'], villageCodes: [own.sibling] }),
      ofNoVillage: await caller(stack, { roles: ['village-operator'] }),
    };
    const ownOperator = await caller(stack, { roles: ['village-operator'], villageCodes: [own.village] });
    const attempt = (who: Caller, village: string, commitmentId: string) => [
      who.post(`/v1/villages/${village}/enrollments`, {
        commitmentId,
        worker: { nik: world.nik() },
        startPeriod: world.openPeriod,
      }),
      who.post(`/v1/villages/${village}/enrollments/import`, {
        commitmentId,
        rows: [{ nik: world.nik(), startPeriod: world.openPeriod }],
      }),
      who.send('POST', `/v1/villages/${village}/enrollments/import?commitmentId=${commitmentId}`, {
        body: `nik,startPeriod\n${world.nik()},${world.openPeriod}\n`,
        headers: { 'content-type': 'text/csv' },
      }),
    ];

    // Act
    const refused = await Promise.all([
      ...Object.values(operators).flatMap((who) => attempt(who, own.village, own.commitmentId)),
      ...attempt(operators.ofForeignVillage, own.village, foreign.commitmentId),
      ...attempt(ownOperator, foreign.village, foreign.commitmentId),
      ...attempt(ownOperator, foreign.village, own.commitmentId),
    ]);
    // Their own village, but a commitment that does not cover it: no quota there.
    const notCovered = await Promise.all(attempt(ownOperator, own.village, foreign.commitmentId));

    // Assess
    expect(refused.map((a) => [a.status, a.body.code])).toEqual(refused.map(() => [403, 'forbidden']));
    expect(notCovered.map((a) => a.status)).toEqual([404, 404, 404]);
    expect(await repositories(stack).commitments.allocation(own.commitmentId, own.village)).toEqual(before);
    expect(await repositories(stack).commitments.allocation(foreign.commitmentId, foreign.village)).toEqual(
      foreignBefore,
    );
  });
});
