/**
 * One Ctrl-C is one graceful stop. A single key press reaches the stack more than once: the terminal
 * signals the whole foreground process group (npm and node alike) and npm forwards its own copy to the
 * child. So copies that arrive within `echoWindowMs` of the previous signal count as that same press.
 * A second press while the stop runs only says what is happening; a third one forces the exit.
 */

export interface StopOnSignalsOptions {
  /** Drains and stops everything; called once. */
  readonly stop: () => Promise<void>;
  readonly log: (message: string) => void;
  readonly exit: (code: number) => void;
  /** Signals closer together than this are copies of one press (default 1 s). */
  readonly echoWindowMs?: number;
  readonly now?: () => number;
}

/** Exit code of a stop forced by a third press, as a shell reports a process ended by SIGINT. */
export const FORCED_EXIT_CODE = 130;

/** Returns the handler to install for SIGINT, SIGTERM and SIGHUP. */
export const stopOnSignals = (options: StopOnSignalsOptions): ((signal: NodeJS.Signals) => void) => {
  const { stop, log, exit, echoWindowMs = 1_000, now = Date.now } = options;
  let presses = 0;
  let lastSignalAt = Number.NEGATIVE_INFINITY;
  return (signal) => {
    const at = now();
    const echo = at - lastSignalAt < echoWindowMs;
    lastSignalAt = at;
    if (echo) return;
    presses += 1;
    if (presses === 1) {
      log(`${signal}: finishing work in progress and stopping…`);
      stop().then(
        () => {
          log('stopped; data is consistent.');
          exit(0);
        },
        (error: unknown) => {
          log(`the stop failed: ${error instanceof Error ? error.message : String(error)}`);
          exit(1);
        },
      );
    } else if (presses === 2) {
      log(
        'still stopping: waiting for the work in flight to finish. Press Ctrl-C once more to force an exit.',
      );
    } else {
      log('forced exit before the stop finished.');
      exit(FORCED_EXIT_CODE);
    }
  };
};
