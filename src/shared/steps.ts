/**
 * Long computations as steps: a generator that yields between pieces of work. Run at once (`runNow`: the CLI, the
 * evaluations) or in slices of a few milliseconds with a turn of the event loop between them (`runSliced`: where the
 * computation shares its thread with completions, as training time-sliced in the browser's extension host worker).
 * Pure: no timers of its own.
 */

export type Steps<T> = Generator<void, T, void>;

/** Runs every step now and returns the result. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs the steps, awaiting `between()` whenever `sliceMs` have passed since the last turn. */
export async function runSliced<T>(steps: Steps<T>, between: () => Promise<void>, sliceMs = 10): Promise<T> {
  let t = Date.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (Date.now() - t >= sliceMs) {
      await between();
      t = Date.now();
    }
  }
}
