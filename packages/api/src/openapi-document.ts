/**
 * The OpenAPI 3.1 document `GET /v1/openapi.json` serves: generated at build time by `npm run contract` from
 * the route table and the zod schemas (openapi.ts). A function bundle carries it as a file beside its
 * `index.mjs` (`#openapi-document-file`), read on the first request for it: the document (about 65 KB) is
 * neither code the module loads at every cold start nor bytes of the code budget.
 */
import { readFileSync } from 'node:fs';
import { openApiDocumentFile } from '#openapi-document-file';

let text: string | undefined;

/** The document's JSON text, as generated. */
export const openApiDocumentText = (): string => {
  text ??= readFileSync(openApiDocumentFile, 'utf8');
  return text;
};

/** The document, parsed (a new copy each call). */
export const openApiDocument = (): unknown => JSON.parse(openApiDocumentText());
