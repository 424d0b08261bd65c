/**
 * The compute side on the extension host's own thread, where the host allows no workers (code-server: "Creating
 * workers from remote extensions is currently not supported"). The training and completion servers are the same
 * code as in the workers, talking over an in-process channel whose messages are delivered as microtasks: a request
 * the host sends is served before the next macrotask, so a completion request waits at most for the training step
 * in progress (training yields after every step with a new macrotask, `nextTurn`), never behind further steps.
 */
import type { ComputeHandle, ComputePort } from '../shared/platform';

/** Messages are copied, as a worker's would be, so neither side can change what the other holds. */
const copy = <T>(m: T): T => structuredClone(m);

/**
 * Starts `serve` on this thread once `ready` resolves (the wasm bytes have been read); messages sent before that
 * wait for it. `stopMessage` is delivered on terminate (a training run then ends at its next step).
 */
export function inProcess(serve: (port: ComputePort) => void, ready: Promise<unknown>, stopMessage?: unknown): ComputeHandle {
  const toCompute: ((m: unknown) => void)[] = [];
  const toHost: ((m: unknown) => void)[] = [];
  const errors: ((e: Error) => void)[] = [];
  const exits: ((code: number) => void)[] = [];
  let alive = true;
  const started = ready.then(() => {
    if (alive) serve({ postMessage: (m) => deliver(toHost, m), onMessage: (f) => { toCompute.push(f); } });
  });
  started.catch((e: unknown) => { for (const f of errors) f(e instanceof Error ? e : new Error(String(e))); });
  function deliver(listeners: ((m: unknown) => void)[], m: unknown): void {
    const message = copy(m);
    void started.then(() => queueMicrotask(() => {
      if (!alive) return;
      for (const f of listeners) f(message);
    }), () => undefined);
  }
  return {
    postMessage: (m) => deliver(toCompute, m),
    onMessage: (f) => { toHost.push(f); },
    onError: (f) => { errors.push(f); },
    onExit: (f) => { exits.push(f); },
    terminate: () => {
      if (!alive) return;
      if (stopMessage !== undefined) for (const f of toCompute) f(copy(stopMessage));
      alive = false;
      for (const f of exits) f(0);
    },
  };
}
