export * from './env.js';
export * from './messages.js';
export * from './publisher.js';
export * from './queues.js';
