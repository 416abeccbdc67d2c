export * from './client.js';
export * from './commitments.js';
export * from './enrollments.js';
export * from './env.js';
export * from './keys.js';
export * from './nik-key.js';
export * from './tables.js';
