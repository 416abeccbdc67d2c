/**
 * fast-check over every route: malformed bodies (non-JSON, any JSON the contract refuses, valid bodies with a
 * field of the wrong type, missing or huge), invalid path parameters and bad query parameters, sent by a
 * caller the route allows, always get a 4xx `application/problem+json` with a `code`, never a 5xx.
 * Then input closed at the door: other media types (415), bodies over the limit (413), and region codes that
 * are well formed but name no region of the region data (422).
 */
import { apiRoutes, importRequestFromCsv, MAX_BODY_BYTES, ROLES, type Role } from '@lindung/api';
import { LIST_NAME } from '@lindung/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { safeParse } from 'zod/mini';
import type { Answer, Caller } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import {
  buildWorld,
  everyCaller,
  fixtureOf,
  pathOf,
  type RouteFixture,
  type RouteName,
  type RouteRequest,
  routeFixtures,
  type World,
} from '../support/route-fixtures.js';

/** Runs per route and property: enough to meet every kind of input, few enough to keep the suite fast. */
const RUNS = 25;

const routeNames = Object.keys(apiRoutes) as RouteName[];

/** What a valid value of each path parameter looks like; generated values of that shape are left out. */
const PARAMETER_SHAPES: Readonly<Record<string, RegExp>> = {
  id: /^[0-9A-HJKMNP-TV-Z]{26}(_\d{2}\.\d{2}\.\d{2}\.\d{4}_\d{4}-\d{2})?$/,
  reallocationId: /^[0-9A-HJKMNP-TV-Z]{26}$/,
  partnerId: /^[0-9A-HJKMNP-TV-Z]{26}$/,
  sponsorId: /^[0-9A-HJKMNP-TV-Z]{26}$/,
  list: LIST_NAME,
  // A village's code, or (for a region's target) any region's code or the national root.
  code: /^(ID|\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)$/,
  period: /^\d{4}-\d{2}$/,
  fiscalYear: /^\d{4}$/,
};

/** A request as it goes on the wire: path parameters, query, and a raw body of some content type. */
interface WireRequest {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string;
}

const DELETE = Symbol('delete');
type Path = readonly (string | number)[];

/** Every path into a JSON value (object keys and array items, at any depth). */
const pathsOf = (value: unknown, prefix: Path = []): Path[] => {
  if (Array.isArray(value))
    return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  }
  return [];
};

/** A copy of `value` with the node at `path` replaced (or deleted). */
const mutate = (value: unknown, path: Path, replacement: unknown): unknown => {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
};

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const hugeString = fc.oneof(
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'grapheme', minLength: 2_000, maxLength: 4_000 }),
);

/** A replacement for a field: any JSON value (of the wrong type, mostly), a huge string, or nothing. */
const oddValue = fc.oneof(fc.jsonValue(), hugeString, fc.constant<typeof DELETE>(DELETE));

/** Bodies the route's schema refuses. */
const malformedBodies = (schema: NonNullable<RouteFixture['body']>, valid: unknown) => {
  const paths = pathsOf(valid);
  const refused = (value: unknown) => !safeParse(schema, value).success;
  return fc.oneof(
    // Not empty: an empty body is no body, which a route whose body is optional (the redrive) accepts (found
    // by seed 496083048 in a clean-clone run).
    fc.string().filter((text) => text !== '' && !isJson(text)),
    fc
      .jsonValue()
      .filter(refused)
      .map((value) => JSON.stringify(value)),
    fc
      .tuple(fc.nat(), oddValue)
      .map(([i, replacement]) => mutate(valid, paths[i % paths.length] ?? [], replacement))
      .filter(refused)
      .map((value) => JSON.stringify(value)),
  );
};

/** Page tokens this API never issued: random text, base64 of any JSON, or made-up keys. */
const garbageToken = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc
    .dictionary(
      fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'),
      fc.string({ minLength: 1 }),
    )
    .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
);

const badLimit = fc.oneof(
  fc.integer({ max: 0 }).map(String),
  fc.integer({ min: 1_001 }).map(String),
  fc.constantFrom('-1', 'abc', '1.5', '', ' ', 'NaN', 'Infinity', '1e9', '[]'),
);

/** Queries that are not valid: a bad limit, a garbage page token, or any other key set to what the schema refuses. */
const malformedQueries = (
  schema: NonNullable<RouteFixture['query']>,
  valid: Readonly<Record<string, string>>,
) =>
  fc.oneof(
    badLimit.map((limit) => ({ ...valid, limit })).filter((query) => !safeParse(schema, query).success),
    garbageToken.map((pageToken) => ({ ...valid, pageToken })),
    fc
      .tuple(fc.constantFrom(...Object.keys(schema._zod.def.shape), 'unknown'), fc.string())
      .map(([key, value]) => ({ ...valid, [key]: value }))
      .filter((query) => !safeParse(schema, query).success),
  );

/** Path parameters of which one is replaced by a value that names nothing (short enough for a URL). */
const malformedParams = (valid: Readonly<Record<string, string>>) => {
  const names = Object.keys(valid);
  for (const name of names) {
    if (!PARAMETER_SHAPES[name])
      throw new Error(`add the shape of path parameter ${name} to PARAMETER_SHAPES`);
  }
  const value = fc.oneof(
    fc.string({ minLength: 1, maxLength: 100 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
    fc.integer({ min: 100, max: 3_000 }).map((n) => 'x'.repeat(n)),
    fc.constantFrom('..', '%', '%2F', ' ', 'null', '-1', '0', 'undefined', '__proto__', 'constructor'),
  );
  return fc
    .tuple(fc.constantFrom(...names), value)
    .filter(([name, v]) => v.trim() !== '' && !PARAMETER_SHAPES[name]?.test(v))
    .map(([name, v]) => ({ ...valid, [name]: v }));
};

/** Every malformed variant of a route's valid request. */
const malformedRequests = (fixture: RouteFixture, valid: RouteRequest): fc.Arbitrary<WireRequest> => {
  const json = valid.body === undefined ? undefined : JSON.stringify(valid.body);
  const base: WireRequest = {
    ...(valid.params && { params: valid.params }),
    ...(valid.query && { query: valid.query }),
    ...(json !== undefined && { body: json }),
  };
  const variants: fc.Arbitrary<WireRequest>[] = [];
  if (valid.params && Object.keys(valid.params).length > 0) {
    variants.push(malformedParams(valid.params).map((params) => ({ ...base, params })));
  }
  if (fixture.body) {
    variants.push(malformedBodies(fixture.body, valid.body).map((body) => ({ ...base, body })));
    // A binary media type: the gateway base64-encodes the body, the handler decodes it and finds no JSON.
    variants.push(
      fc
        .string()
        // Not empty: an empty body is no body, which a route whose body is optional (the redrive) accepts.
        .filter((text) => text !== '' && !isJson(text))
        .map((body) => ({ ...base, body, contentType: 'application/octet-stream' })),
    );
  }
  if (fixture.query) {
    variants.push(malformedQueries(fixture.query, valid.query ?? {}).map((query) => ({ ...base, query })));
  }
  if (fixture.body && 'rows' in (valid.body as object)) {
    // CSV for the import: anything that does not read as an import (e.g. no usable header).
    const commitmentId = (valid.body as { commitmentId: string }).commitmentId;
    const refused = (text: string) => {
      try {
        importRequestFromCsv(text, { commitmentId });
        return false;
      } catch {
        return true;
      }
    };
    variants.push(
      fc
        .oneof(
          fc.string(),
          fc.array(fc.string(), { maxLength: 20 }).map((lines) => lines.join('\n')),
        )
        .filter(refused)
        .map((body) => ({ ...base, query: { commitmentId }, body, contentType: 'text/csv' })),
    );
  }
  if (variants.length === 0) throw new Error('a route with no parameters, query or body has nothing to fuzz');
  return fc.oneof(...variants);
};

const sendWire = (who: Caller, name: RouteName, request: WireRequest): Promise<Answer> => {
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  return who.send(apiRoutes[name].method, `${pathOf(name, request.params)}${query}`, {
    ...(request.body !== undefined && { body: request.body }),
    ...(request.contentType && { headers: { 'content-type': request.contentType } }),
  });
};

const expectProblem = (answer: Answer) => {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  expect(answer.body.status).toBe(answer.status);
  expect(answer.body.code).toMatch(/^[a-z-]+$/);
};

/** A role the route allows in its own scope. */
const allowedRole = (fixture: RouteFixture): Role => {
  const role = ROLES.find((r) => fixture.allowed[r] !== undefined);
  if (!role) throw new Error('a route nobody may call cannot be fuzzed');
  return role;
};

describe('malformed input to every route (fast-check)', () => {
  const stack = localStack();
  let world: World;
  let callerOf: Awaited<ReturnType<typeof everyCaller>>;

  beforeAll(async () => {
    world = await buildWorld(stack, {
      year: 2030,
      district: '150501',
      villages: ['15.05.01.2004', '15.05.01.2002', '15.05.02.2001'],
    });
    callerOf = await everyCaller(stack, world);
  });

  it.each(routeNames)(
    '%s: answers malformed requests with a 4xx problem document, never a 5xx',
    async (name) => {
      // Prepare
      const fixture = fixtureOf(name);
      const role = allowedRole(fixture);
      const who = callerOf(role, 'own');
      const requests = malformedRequests(fixture, fixture.request(world, role));

      // Act and Assess
      await fc.assert(
        fc.asyncProperty(requests, async (request) => expectProblem(await sendWire(who, name, request))),
        { numRuns: RUNS },
      );
    },
  );

  it('answers a page token of another list, a made-up key and an overlong id with a 4xx, not a 500', async () => {
    // Prepare: a genuine token, of the first page of the own commitment's two allocations.
    const auditor = callerOf('auditor', 'own');
    const { own, foreign } = world;
    const first = await auditor.get(`/v1/commitments/${own.commitmentId}/allocations?limit=1`);
    const token = first.body.nextPageToken as string;
    const madeUp = Buffer.from(JSON.stringify({ pk: 'a', sk: 'b' })).toString('base64url');

    // Act
    const answers = await Promise.all([
      auditor.get(`/v1/commitments/${foreign.commitmentId}/allocations?pageToken=${token}`),
      auditor.get(`/v1/commitments/${own.commitmentId}/reallocations?pageToken=${token}`),
      auditor.get(`/v1/villages/${own.village}/enrollments?pageToken=${token}`),
      auditor.get(`/v1/villages/${own.village}/enrollments?pageToken=${madeUp}`),
      auditor.get(`/v1/invoices?sponsorId=${own.sponsorId}&pageToken=${token}`),
    ]);
    const overlong = await auditor.get(`/v1/commitments/${'0'.repeat(3_000)}`);

    // Assess
    expect(token).toEqual(expect.any(String));
    for (const answer of answers) {
      expectProblem(answer);
      expect(answer.body).toMatchObject({ status: 422, code: 'validation-failed' });
      expect(JSON.stringify(answer.body)).toContain('pageToken');
    }
    expectProblem(overlong);
    expect(overlong.status).toBe(404);
  });

  it.each(routeNames.filter((name) => routeFixtures[name]?.body))(
    '%s: refuses a valid body sent as another media type with 415 unsupported-media-type',
    async (name) => {
      // Prepare
      const fixture = fixtureOf(name);
      const role = allowedRole(fixture);
      const who = callerOf(role, 'own');
      const valid = fixture.request(world, role);
      const body = JSON.stringify(valid.body);

      // Act
      const answers = await Promise.all(
        ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data'].map(
          (contentType) => sendWire(who, name, { ...valid, body, contentType }),
        ),
      );

      // Assess
      for (const answer of answers) {
        expectProblem(answer);
        expect(answer.body).toMatchObject({ status: 415, code: 'unsupported-media-type' });
      }
    },
  );

  it('answers a body over the limit with 413 payload-too-large, and reads one just under it', async () => {
    // Prepare: a sponsor whose name pads the body to the limit (a name the contract then refuses as too long).
    const admin = callerOf('admin', 'own');
    const padded = (bytes: number) => {
      const shell = JSON.stringify({ name: '', kind: 'other', regionCode: '15' });
      return JSON.stringify({ name: 'x'.repeat(bytes - shell.length), kind: 'other', regionCode: '15' });
    };

    // Act
    const over = await admin.send('POST', '/v1/sponsors', { body: padded(MAX_BODY_BYTES + 1) });
    const under = await admin.send('POST', '/v1/sponsors', { body: padded(MAX_BODY_BYTES) });

    // Assess
    expectProblem(over);
    expect(over.body).toMatchObject({ status: 413, code: 'payload-too-large' });
    expectProblem(under);
    expect(under.body).toMatchObject({ status: 422, code: 'validation-failed' });
  });

  it('refuses region and village codes that name no region of the region data, with 422', async () => {
    // Prepare
    const admin = callerOf('admin', 'own');
    const officer = callerOf('sponsor-officer', 'own');
    const { own, year } = world;
    const draft = (allocation: unknown, budget: unknown = { kind: 'fixed', amount: 10_000_000 }) => ({
      sponsorId: own.sponsorId,
      fiscalYear: year,
      budget,
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      allocation,
    });
    const sponsor = (regionCode: string) => ({ name: 'Kabupaten Entah', kind: 'regency', regionCode });
    const grant = { kind: 'percent-of-grant', grantPerVillage: 1_000_000_000, percent: 1 };

    // Act
    const refused = {
      sponsorOfProvince99: await admin.post('/v1/sponsors', sponsor('99')),
      sponsorOfRegency1599: await admin.post('/v1/sponsors', sponsor('15.99')),
      explicitToMadeUpVillage: await officer.post(
        '/v1/commitments',
        draft({ method: 'explicit', amounts: { '15.99.99.9999': 10_000_000 } }),
      ),
      equalOverMadeUpVillages: await officer.post(
        '/v1/commitments',
        draft({ method: 'equal', villages: [own.village, '15.05.01.2999'] }),
      ),
      equalOverMadeUpRegion: await officer.post(
        '/v1/commitments',
        draft({ method: 'equal', region: '15.05.99' }),
      ),
      proportionalToMadeUpVillage: await officer.post(
        '/v1/commitments',
        draft({ method: 'proportional', targets: { '15.99.99.9999': 10 } }),
      ),
      grantOverMadeUpRegion: await officer.post(
        '/v1/commitments',
        draft({ method: 'percent-of-grant' }, { ...grant, region: '15.99' }),
      ),
      reallocationToMadeUpVillage: await officer.post(`/v1/commitments/${own.commitmentId}/reallocations`, {
        moves: [{ from: own.village, to: '15.99.99.9999', amount: 1_000 }],
      }),
    };
    const control = {
      sponsorOfARealRegency: await admin.post('/v1/sponsors', sponsor('15.05')),
      explicitToARealVillage: await officer.post(
        '/v1/commitments',
        draft({ method: 'explicit', amounts: { [own.village]: 10_000_000 } }),
      ),
    };

    // Assess
    for (const [what, answer] of Object.entries(refused)) {
      expectProblem(answer);
      expect({ what, status: answer.status, code: answer.body.code }).toEqual({
        what,
        status: 422,
        code: 'validation-failed',
      });
      expect(JSON.stringify(answer.body.errors)).toContain('region data');
    }
    expect(control.sponsorOfARealRegency.status).toBe(201);
    expect(control.explicitToARealVillage.status).toBe(201);
  });

  it.each(routeNames.filter((name) => routeFixtures[name]?.body))(
    '%s: never answers a 5xx to a body with any field changed, whether the contract accepts it or not',
    async (name) => {
      // Prepare
      const fixture = fixtureOf(name);
      const role = allowedRole(fixture);
      const who = callerOf(role, 'own');
      const bodies = fc.tuple(fc.nat(), oddValue).map(([i, replacement]) => {
        const valid = fixture.request(world, role);
        const paths = pathsOf(valid.body);
        return { ...valid, body: mutate(valid.body, paths[i % paths.length] ?? [], replacement) };
      });

      // Act and Assess
      await fc.assert(
        fc.asyncProperty(bodies, async (request) => {
          const answer = await sendWire(who, name, { ...request, body: JSON.stringify(request.body) });
          expect(answer.status).toBeLessThan(500);
          if (answer.status >= 400) expectProblem(answer);
        }),
        { numRuns: RUNS },
      );
    },
  );
});
