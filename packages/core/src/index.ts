/**
 * @lindung/core — the pure domain of Lindung: money, periods, premiums, funding rules, allocation,
 * capacity, NIK, region codes, reservation modes, lifecycles and the error vocabulary. No AWS, no I/O,
 * except `region-data`, which reads the regions of `idn-area-data` (generated/regions.dat) on first use.
 */
export * from './allocation.js';
export * from './capacity.js';
export * from './collection.js';
export * from './contribution.js';
export * from './eligibility.js';
export * from './errors.js';
export * from './forecast.js';
export * from './funding.js';
export * from './funding-priority.js';
export * from './incentive.js';
export * from './lifecycle.js';
export * from './money.js';
export * from './nik.js';
export * from './outlook.js';
export * from './period.js';
export * from './planner.js';
export * from './premium.js';
export * from './reallocation.js';
export * from './region.js';
export * from './region-data.js';
export * from './renewal.js';
export * from './reservation.js';
export * from './retry.js';
export * from './share.js';
