export * from './health.js';
export * from './http.js';
export * from './routes.js';
