export * from './env.js';
export * from './queues.js';
