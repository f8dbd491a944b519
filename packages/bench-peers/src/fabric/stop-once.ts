import type { SuiteContext } from '../suite.ts';

/** A suite's stop, run once however many paths ask for it. */
export interface StopOnce {
  /** Runs the stop (or waits for the run already under way) and unregisters it. */
  stop(): Promise<void>;
  /** Throws once the stop has begun (the run was interrupted): start nothing new then. */
  throwIfStopped(): void;
}

/**
 * Registers `stop` with the runner (which calls it when the run is interrupted) so that the
 * suite's own `finally` and the interrupt handler share one run of it: neither goes on, and
 * the runner does not remove the run directory, while the other is still stopping.
 *
 * @param context - the suite's context
 * @param stop - stops everything started; must not throw
 * @returns the shared stop and a check for starting new work
 */
export function stopOnce(context: SuiteContext, stop: () => Promise<void>): StopOnce {
  let stopping: Promise<void> | undefined;
  const run = () => {
    stopping ??= stop();
    return stopping;
  };
  const unregister = context.defer(run);
  return {
    async stop() {
      await run();
      await unregister();
    },
    throwIfStopped() {
      if (stopping) throw new Error('interrupted: what this suite started was stopped');
    },
  };
}
