export * from './env.js';
export * from './tables.js';
