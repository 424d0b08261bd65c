/**
 * Kernel threads as a browser's Web Workers (dist/web/kernelThread.js, webThread.ts), for the threaded build in a
 * cross-origin isolated page or worker: the shared memory and the compiled module are posted to each worker.
 */
import type { ThreadInit } from './protocol';
import type { KernelThread, ThreadStarter } from './wasmKernels';

interface WebWorker {
  postMessage(m: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', f: (e: { data?: unknown; message?: string }) => void): void;
  removeEventListener(type: 'message' | 'error' | 'messageerror', f: (e: { data?: unknown; message?: string }) => void): void;
}

/** Starts kernel threads from the classic worker script at `url`. */
export function webThreadStarter(url: string): ThreadStarter {
  const WorkerCtor = (globalThis as unknown as { Worker?: new (url: string, o?: { name?: string }) => WebWorker }).Worker;
  return (init: ThreadInit, timeoutMs: number) => new Promise<KernelThread>((resolve, reject) => {
    if (!WorkerCtor) {
      reject(new Error('this JavaScript host cannot start Web Workers'));
      return;
    }
    const w = new WorkerCtor(url, { name: 'inkling kernel thread' });
    const exitListeners: ((why: string) => void)[] = [];
    let ready = false;
    const timer = setTimeout(() => {
      w.terminate();
      reject(new Error(`kernel thread ${url} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (e: { message?: string }): void => {
      const why = `failed: ${e.message ?? 'error event'}`;
      if (!ready) {
        clearTimeout(timer);
        w.terminate();
        reject(new Error(`kernel thread ${url} failed to start: ${e.message ?? 'error event'}`));
        return;
      }
      // A Web Worker has no exit event: an uncaught error is how it ends (it may not post any more chunks).
      for (const f of exitListeners) f(why);
    };
    const onMessage = (e: { data?: unknown }): void => {
      if (ready) return;
      clearTimeout(timer);
      if (e.data !== 'ready') {
        w.terminate();
        reject(new Error(`kernel thread ${url} sent ${JSON.stringify(e.data)} instead of ready`));
        return;
      }
      ready = true;
      resolve({ terminate: () => w.terminate(), onExit: (f) => { exitListeners.push(f); } });
    };
    w.addEventListener('error', onError);
    w.addEventListener('messageerror', () => onError({ message: 'the init message could not be read (is the page cross-origin isolated?)' }));
    w.addEventListener('message', onMessage);
    w.postMessage(init);
  });
}
