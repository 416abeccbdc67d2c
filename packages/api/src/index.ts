export * from './auth.js';
export * from './health.js';
export * from './http.js';
export * from './middleware.js';
export * from './openapi.js';
export * from './routes.js';
export * from './schemas.js';
export * from './use-cases.js';
