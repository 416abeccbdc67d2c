/**
 * A progress bar on stderr. On a terminal it redraws one line in place (at most ten times a second); into a
 * file or a pipe it writes a plain line at every tenth of the way, so logs stay readable.
 */
import { formatNumber } from '@lindung/core';
import type { CliIo } from './command.js';

const WIDTH = 24;
const REDRAW_MS = 100;

export class ProgressBar {
  private lastDraw = 0;
  private lastTenth = -1;
  private drawn = false;
  private readonly now: () => number;

  constructor(
    private readonly stream: CliIo['stderr'],
    private readonly total: number,
    private readonly label: string,
    now: () => number = Date.now,
  ) {
    this.now = now;
  }

  /** Shows `done` of the total, with a short note (e.g. counts so far) after the figures. */
  update(done: number, note = ''): void {
    const tty = this.stream.isTTY === true;
    if (tty) {
      const at = this.now();
      if (done < this.total && at - this.lastDraw < REDRAW_MS) return;
      this.lastDraw = at;
      const line = this.render(done, note);
      const columns = this.stream.columns ?? 100;
      this.stream.write(`\r${line.slice(0, Math.max(20, columns - 1)).padEnd(Math.max(20, columns - 1))}`);
      this.drawn = true;
      return;
    }
    const tenth = this.total === 0 ? 10 : Math.floor((done / this.total) * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.stream.write(`${this.render(done, note)}\n`);
  }

  /** Ends the bar's line (on a terminal), so what follows starts on a fresh line. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** The bar as text: `label [#####-------]  1.234/5.000  25%  note`. */
  render(done: number, note = ''): string {
    const share = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const filled = Math.round(share * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`;
    const percent = `${Math.floor(share * 100)}%`.padStart(4);
    const counts = `${formatNumber(done)}/${formatNumber(this.total)}`;
    return `${this.label} ${bar} ${counts} ${percent}${note ? `  ${note}` : ''}`;
  }
}
