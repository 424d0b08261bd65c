/** A Node worker thread as a {@link ComputeHandle} (the desktop's and the remote's compute side). */
import { Worker } from 'node:worker_threads';
import type { ComputeHandle } from '../shared/platform';

export function nodeWorker(script: string, workerData?: unknown): ComputeHandle {
  const w = new Worker(script, workerData === undefined ? undefined : { workerData });
  return {
    postMessage: (m) => w.postMessage(m),
    onMessage: (f) => { w.on('message', f); },
    onError: (f) => { w.on('error', f); },
    onExit: (f) => { w.on('exit', f); },
    terminate: () => { void w.terminate(); },
  };
}
