import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../packages/cli/src/progress.js';

const stream = (isTTY: boolean) => {
  let written = '';
  return {
    sink: { write: (chunk: string) => (written += chunk), isTTY, columns: 80 },
    written: () => written,
  };
};

describe('ProgressBar', () => {
  it('renders the share done with Indonesian grouping', () => {
    // Prepare
    const bar = new ProgressBar(stream(false).sink, 5_000, 'Importing');

    // Act
    const text = bar.render(1_250, 'enrolled 1.200');

    // Assess
    expect(text).toBe('Importing [######------------------] 1.250/5.000  25%  enrolled 1.200');
  });

  it('writes a line at each tenth into a file or pipe, not one per update', () => {
    // Prepare
    const out = stream(false);
    const bar = new ProgressBar(out.sink, 100, 'Rows');

    // Act
    for (let done = 0; done <= 100; done++) bar.update(done);
    bar.finish();

    // Assess
    const lines = out.written().trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toContain(' 0/100   0%');
    expect(lines.at(-1)).toContain(' 100/100 100%');
  });

  it('redraws in place on a terminal at most ten times a second, always drawing the end, then ends the line', () => {
    // Prepare
    const out = stream(true);
    let clock = 1_000;
    const bar = new ProgressBar(out.sink, 10, 'Rows', () => clock);

    // Act: nine updates in the same instant, then the last one.
    for (let done = 0; done < 10; done++) bar.update(done);
    clock += 50;
    bar.update(10);
    bar.finish();

    // Assess
    const draws = out.written().split('\r').filter(Boolean);
    expect(draws).toHaveLength(2);
    expect(draws[0]).toContain(' 0/10   0%');
    expect(draws[1]).toMatch(/ 10\/10 100% *\n$/);
    expect(draws[1]?.length).toBe(80);
  });
});
