/** The dashboard's pure helpers (formatting and words), for tests; the app itself is src/main.ts. */

export * from './forecast.js';
export * from './format.js';
export * from './i18n.js';
