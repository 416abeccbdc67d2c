/**
 * Where the OpenAPI document is in a function bundle: esbuild's file loader (`.openapi.json`,
 * infra/lib/lindung-function.ts) writes it beside `index.mjs` as `lindung.openapi-<hash>.json` and makes this
 * import its path relative to the bundle.
 */
import bundledFile from './lindung.openapi.json';

/** The file loader's import is the file's path; TypeScript, reading the JSON, assumes the document. */
const openApiDocumentPath = bundledFile as unknown as string;

export const openApiDocumentFile: URL = new URL(openApiDocumentPath, import.meta.url);
