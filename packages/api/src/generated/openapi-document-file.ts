/**
 * Where `generated/lindung.openapi.json` is when the sources run (tsx, vitest). A function bundle resolves
 * `#openapi-document-file` to openapi-document-file.bundle.ts instead (the `lindung-bundle` condition).
 */
export const openApiDocumentFile: URL = new URL('./lindung.openapi.json', import.meta.url);
