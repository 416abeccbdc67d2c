/**
 * The OpenAPI 3.1 document `GET /v1/openapi.json` serves: generated at build time by `npm run contract` from
 * the route table and the zod schemas (openapi.ts), so the Lambda carries the JSON and not the generator.
 */
import document from './generated/openapi.json' with { type: 'json' };

export const openApiDocument = document;
