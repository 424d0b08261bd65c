import { raceAbort, throwIfAborted } from './abort';

/**
 * Runs `task` over `queue` with at most `limit` tasks in flight, and hands results to `commit` strictly in
 * queue order. `commit` may append to `queue` (a breadth-first walk does), and may return `'stop'` to end the
 * run early. Because results are committed in order, everything `commit` decides is independent of timing:
 * the same queue gives the same commits whatever the file system's latency.
 *
 * Contract: `task` must not reject (wrap failures into its result); if it does, the run rejects. Tasks already
 * in flight when the run stops or aborts finish in the background and their results are dropped.
 * Memory: at most `limit` uncommitted results are held at once.
 */
export async function runOrdered<T, R>(
  queue: T[],
  limit: number,
  task: (item: T) => Promise<R>,
  commit: (result: R, item: T) => void | 'stop',
  signal?: AbortSignal,
): Promise<void> {
  const inFlight = new Map<number, Promise<R>>();
  let launched = 0;
  let committed = 0;
  for (;;) {
    throwIfAborted(signal);
    while (launched < queue.length && launched - committed < limit) {
      const item = queue[launched] as T;
      const p = task(item);
      // Dropped results (after 'stop' or abort) must not surface as unhandled rejections.
      p.catch(() => undefined);
      inFlight.set(launched, p);
      launched++;
    }
    if (committed >= queue.length) return;
    const pending = inFlight.get(committed) as Promise<R>;
    const result = await raceAbort(pending, signal);
    inFlight.delete(committed);
    const item = queue[committed] as T;
    committed++;
    if (commit(result, item) === 'stop') return;
  }
}
