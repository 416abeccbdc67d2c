/** The period roll: its fan-out, its unit of work and billing's self-healing, over the store's repositories. */
export * from './contributions.js';
export * from './fan-out.js';
export * from './incentives.js';
export * from './numbering.js';
export * from './renewal.js';
