import { describe, expect, it } from 'vitest';
import { FORCED_EXIT_CODE, stopOnSignals } from '../../../packages/local/src/shutdown.js';

/** A handler on a hand-driven clock, with a stop that finishes only when the test says so. */
const harness = () => {
  let clock = 0;
  let finish: () => void = () => undefined;
  const stops: number[] = [];
  const exits: number[] = [];
  const logs: string[] = [];
  const onSignal = stopOnSignals({
    stop: () => {
      stops.push(clock);
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    },
    log: (message) => logs.push(message),
    exit: (code) => exits.push(code),
    echoWindowMs: 1_000,
    now: () => clock,
  });
  return {
    signal: (at: number, signal: NodeJS.Signals = 'SIGINT') => {
      clock = at;
      onSignal(signal);
    },
    finishStop: async () => {
      finish();
      await new Promise((r) => setImmediate(r));
    },
    stops,
    exits,
    logs,
  };
};

describe('stopOnSignals', () => {
  it('takes the copies of one Ctrl-C (terminal, npm) as one press: one stop, then exit 0', async () => {
    // Prepare
    const h = harness();

    // Act: the terminal's SIGINT and npm's forwarded copy a few milliseconds later
    h.signal(0);
    h.signal(4);
    h.signal(30);
    await h.finishStop();

    // Assess
    expect(h.stops).toEqual([0]);
    expect(h.exits).toEqual([0]);
  });

  it('does not cut the stop short on a second press, and forces the exit on a deliberate third', async () => {
    // Prepare
    const h = harness();

    // Act
    h.signal(0, 'SIGTERM');
    h.signal(2_000);
    const afterSecond = [...h.exits];
    h.signal(4_000);

    // Assess
    expect(h.stops).toHaveLength(1);
    expect(afterSecond).toEqual([]);
    expect(h.logs.some((l) => l.includes('once more to force'))).toBe(true);
    expect(h.exits).toEqual([FORCED_EXIT_CODE]);
  });

  it('counts a press held down (a stream of copies) as one', () => {
    // Prepare
    const h = harness();

    // Act: copies each within the window of the previous one
    for (let at = 0; at <= 5_000; at += 500) h.signal(at);

    // Assess
    expect(h.stops).toHaveLength(1);
    expect(h.exits).toEqual([]);
  });
});
