import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, toCronerPattern } from '../../../packages/local/src/scheduler.js';

const monthly = 'cron(5 0 1 * ? *)'; // 00:05 on the 1st, as the period roll's schedule

describe('toCronerPattern', () => {
  it('turns an EventBridge cron into five fields with "?" as "any"', () => {
    expect(toCronerPattern(monthly)).toBe('5 0 1 * *');
    expect(toCronerPattern('cron(0 8 ? * MON-FRI *)')).toBe('0 8 * * MON-FRI');
  });

  it('rejects what is not an EventBridge cron, and a year it cannot honour', () => {
    expect(() => toCronerPattern('5 0 1 * *')).toThrow(/not an EventBridge cron/);
    expect(() => toCronerPattern('cron(5 0 1 * ? 2027)')).toThrow(/year/);
  });
});

describe('Scheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires the monthly schedule at 00:05 on the 1st in Asia/Jakarta (17:05 UTC the day before)', async () => {
    // Prepare: 23:00 Jakarta on 30 November.
    const calls: string[] = [];
    const scheduler = new Scheduler(
      [
        {
          functionName: 'roll',
          cron: monthly,
          timezone: 'Asia/Jakarta',
          timeoutSeconds: 5,
          handler: async (e) => calls.push(e.scheduledTime),
        },
      ],
      undefined,
      new Date('2026-11-30T16:00:00Z'),
    );

    // Act: the clock passes midnight Jakarta, then the rest of December.
    const early = await scheduler.fireDue(new Date('2026-11-30T17:04:59Z'));
    const due = await scheduler.fireDue(new Date('2026-12-20T00:00:00Z'));

    // Assess
    expect(early).toEqual([]);
    expect(due.map((d) => d.scheduledTime)).toEqual(['2026-11-30T17:05:00.000Z']);
    expect(calls).toEqual(['2026-11-30T17:05:00.000Z']);
  });

  it('fires each missed occurrence once, in order, when the clock jumps months ahead', async () => {
    const calls: string[] = [];
    const scheduler = new Scheduler(
      [
        {
          functionName: 'roll',
          cron: monthly,
          timezone: 'Asia/Jakarta',
          timeoutSeconds: 5,
          handler: async (e) => calls.push(e.scheduledTime),
        },
      ],
      undefined,
      new Date('2026-12-15T00:00:00Z'),
    );
    await scheduler.fireDue(new Date('2027-03-10T00:00:00Z'));
    await scheduler.fireDue(new Date('2027-03-10T00:00:00Z'));
    expect(calls).toEqual([
      '2026-12-31T17:05:00.000Z',
      '2027-01-31T17:05:00.000Z',
      '2027-02-28T17:05:00.000Z',
    ]);
  });

  it('arms a timer that fires the handler when the moment comes, and keeps firing after an error', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-11-30T17:04:59.000Z') });
    const calls: string[] = [];
    const errors: unknown[] = [];
    const scheduler = new Scheduler(
      [
        {
          functionName: 'roll',
          cron: monthly,
          timezone: 'Asia/Jakarta',
          timeoutSeconds: 5,
          handler: async (e) => {
            calls.push(e.scheduledTime);
            throw new Error('boom');
          },
        },
      ],
      (error) => errors.push(error),
    );

    // Act
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2_000);

    // Assess
    expect(calls).toEqual(['2026-11-30T17:05:00.000Z']);
    expect(errors).toHaveLength(1);
    expect(scheduler.nextRun()?.toISOString()).toBe('2026-12-31T17:05:00.000Z');
    await scheduler.stop();
  });
});
