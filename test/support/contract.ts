/**
 * Contract tests: every answer the e2e suite receives is checked against the OpenAPI document, the schema of
 * its operation and status (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1). An undeclared status or a
 * body off its schema throws, failing the test that received it. Each checked answer is counted in a file of
 * the folder the e2e global setup made (contract-counts.ts), which prints the total at the end of the run.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchRoute, openApiDocument, routeDefinitions } from '@lindung/api';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    contractCounts: string;
  }
}

const DOCUMENT_ID = 'lindung-openapi';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
type Answer = { $ref?: string; content?: Record<string, unknown> };
const document = openApiDocument() as {
  paths: Record<string, Record<string, { responses: Record<string, Answer> }>>;
  components: { responses: Record<string, Answer> };
};
ajv.addSchema(document, DOCUMENT_ID);

const paths = document.paths;
const sharedAnswers = document.components.responses;
const SHARED = '#/components/responses/';

/** Where an answer is in the document (a shared problem answer is referenced), and the answer. */
const declared = (template: string, method: string, status: number) => {
  const local = ['paths', template, method, 'responses', String(status)];
  const answer = paths[template]?.[method]?.responses[String(status)];
  const shared = answer?.$ref?.startsWith(SHARED) ? answer.$ref.slice(SHARED.length) : undefined;
  return shared
    ? { at: ['components', 'responses', shared], answer: sharedAnswers[shared] }
    : { at: local, answer };
};

const pointerSegment = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** The validator of a schema inside the document, by its JSON pointer (compiled once). */
const validatorAt = (...segments: string[]) => {
  const validate = ajv.getSchema(`${DOCUMENT_ID}#/${segments.map(pointerSegment).join('/')}`);
  if (!validate) throw new Error(`No schema at ${segments.join(' ')} in the OpenAPI document`);
  return validate;
};

let countsFile: string | undefined | null = null;
const record = (operation: string, status: number) => {
  if (countsFile === null) {
    const dir = inject('contractCounts');
    countsFile = dir ? join(dir, `${process.pid}.log`) : undefined;
  }
  if (countsFile) appendFileSync(countsFile, `${operation} ${status}\n`);
};

/** A contract violation: the answer is not what the OpenAPI document says. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
}

export interface ReceivedAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
}

/** Throws a `ContractError` unless the answer is one the document declares for its operation and status. */
export const checkAnswer = ({ method, path, status, contentType, body }: ReceivedAnswer): void => {
  const { pathname } = new URL(path, 'http://lindung.invalid');
  const match = matchRoute(routeDefinitions, method, pathname);
  const what = `${method} ${pathname} → ${status}`;
  // The gateway's answer to a path no route serves is a problem document too.
  const template = match?.route.path;
  const { at, answer } = template
    ? declared(template, method.toLowerCase(), status)
    : { at: [], answer: undefined };
  if (template && !answer) {
    throw new ContractError(`${what}: the OpenAPI document declares no ${status} for ${template}`);
  }
  const mediaType = answer ? Object.keys(answer.content ?? {})[0] : 'application/problem+json';
  if (!mediaType || !contentType.startsWith(mediaType)) {
    throw new ContractError(`${what}: content type ${contentType || 'none'}, the document says ${mediaType}`);
  }
  const validate = template
    ? validatorAt(...at, 'content', mediaType, 'schema')
    : validatorAt('components', 'schemas', 'Problem');
  if (!validate(body)) {
    throw new ContractError(
      `${what}: the body is off the OpenAPI document: ${(validate.errors ?? [])
        .map(
          (e) =>
            `${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`,
        )
        .join('; ')}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
  record(match?.route.operationId ?? 'no-route', status);
};
